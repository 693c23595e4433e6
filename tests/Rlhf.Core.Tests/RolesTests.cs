using Rlhf.Core.Identity;

namespace Rlhf.Core.Tests;

public class RolesTests
{
    [Theory]
    [InlineData("admin", "Admin")]
    [InlineData(" RATER ", "Rater")]
    [InlineData("Researcher", "Researcher")]
    public void Normalize_returns_the_canonical_spelling(string given, string expected) =>
        Assert.Equal(expected, Roles.Normalize(given));

    [Theory]
    [InlineData("boss")]
    [InlineData("")]
    [InlineData(null)]
    public void Normalize_rejects_unknown_roles(string? given) => Assert.Null(Roles.Normalize(given));

    [Fact]
    public void There_are_exactly_three_roles() =>
        Assert.Equal(["Admin", "Researcher", "Rater"], Roles.All);
}
