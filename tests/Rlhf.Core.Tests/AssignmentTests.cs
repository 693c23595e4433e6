using Rlhf.Core.Projects;

namespace Rlhf.Core.Tests;

public class AssignmentTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_leased_assignment_is_open_until_its_lease_expires()
    {
        var a = new Assignment { Status = AssignmentStatus.Leased, LeaseExpiresAtUtc = Now.AddMinutes(1) };
        Assert.True(a.IsOpen(Now));
        Assert.False(a.IsOpen(Now.AddMinutes(1)));
    }

    [Theory]
    [InlineData(AssignmentStatus.Submitted)]
    [InlineData(AssignmentStatus.Skipped)]
    [InlineData(AssignmentStatus.Expired)]
    [InlineData(AssignmentStatus.Released)]
    public void A_finished_assignment_is_not_open(AssignmentStatus status) =>
        Assert.False(new Assignment { Status = status, LeaseExpiresAtUtc = Now.AddHours(1) }.IsOpen(Now));
}
