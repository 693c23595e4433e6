using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class WinRateTests
{
    [Fact]
    public void Wilson_interval_matches_the_worked_value()
    {
        // 81 successes of 263 (Wikipedia, "Binomial proportion confidence interval", Wilson example: 0.2553 .. 0.3662).
        var w = new WinRate(81, 182, 0);
        var (low, high) = w.Interval95!.Value;
        Assert.Equal(0.2553, low, 3);
        Assert.Equal(0.3662, high, 3);
    }

    [Fact]
    public void Ties_count_half_and_no_votes_give_no_rate()
    {
        Assert.Equal(0.75, new WinRate(1, 0, 1).Rate);
        Assert.Null(new WinRate(0, 0, 0).Rate);
        Assert.Null(new WinRate(0, 0, 0).Interval95);
    }
}
