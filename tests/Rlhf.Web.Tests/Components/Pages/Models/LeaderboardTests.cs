using Rlhf.Data.Statistics;
using Rlhf.Web.Components.Pages.Models;

namespace Rlhf.Web.Tests.Components.Pages.Models;

/// <summary>The leaderboard's interval column: a real interval, or why there is none (a model that won or lost every vote).</summary>
public class LeaderboardTests
{
    [Fact]
    public void A_one_sided_record_says_it_has_no_interval_instead_of_showing_one_of_no_width()
    {
        Assert.Equal("none: won all 5 votes (at least +1.38)", Leaderboard.Interval(new ModelStanding(1, "ppo", 1.38, 1.38, 1.38, 5, 5)));
        Assert.Equal("none: lost all 5 votes (at most -1.38)", Leaderboard.Interval(new ModelStanding(2, "ref", -1.38, -1.38, -1.38, 5, 0)));
        Assert.Equal("+0.20 … +1.10", Leaderboard.Interval(new ModelStanding(3, "sft", 0.6, 0.2, 1.1, 9, 6)));
    }
}
