using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

/// <summary>The rater warnings at their boundaries: speed from ten votes on and under two seconds, biases under p = 0.01.</summary>
public class RaterWarningsTests
{
    [Fact]
    public void A_fast_rater_leaning_left_and_long_gets_three_warnings()
    {
        Assert.Equal(["fast: median 0.5 s a vote", "position bias: left 80% (p = 0.002)", "length bias: longer 85% (p = 0.002)"],
            RaterWarnings.Of(40, 0.5, 0.8, 0.002, 0.85, 0.002).Select(w => w.Replace(" %", "%")));
    }

    [Theory]
    [InlineData(9, 0.5, 0.5, 0.9, 0.5, 0.9)]      // fast, but too few votes to say
    [InlineData(10, 2.0, 0.5, 0.9, 0.5, 0.9)]     // exactly two seconds is not too fast
    [InlineData(50, 8.0, 0.7, 0.01, 0.3, 0.01)]   // p = 0.01 is not below the line
    [InlineData(50, null, null, 0.0, null, 0.0)]  // no data, no lean
    public void Nothing_that_stays_on_the_safe_side_of_a_line_is_flagged(int votes, double? median, double? left, double positionP, double? longer, double lengthP) =>
        Assert.Empty(RaterWarnings.Of(votes, median, left, positionP, longer, lengthP));

    [Fact]
    public void A_lean_to_the_shorter_response_is_named_as_such()
    {
        var warning = Assert.Single(RaterWarnings.Of(50, 6, 0.5, 0.9, 0.2, 0.001));
        Assert.StartsWith("length bias: shorter 80", warning);
    }
}
