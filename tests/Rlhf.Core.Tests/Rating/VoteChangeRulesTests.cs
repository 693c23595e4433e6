using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class VoteChangeRulesTests
{
    private static readonly DateTime Voted = new(2026, 12, 2, 16, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(1, 3, 30, 29.9, null)]                                   // open: votes missing, inside the window
    [InlineData(2, 3, 30, 0, null)]
    [InlineData(3, 3, 30, 1, "This comparison has all its votes, so your vote is final.")]
    [InlineData(4, 3, 30, 1, "This comparison has all its votes, so your vote is final.")]  // gold: past k
    [InlineData(1, 3, 30, 30, "Votes can be changed for 30 minutes after voting; the time for this one has passed.")]
    [InlineData(3, 3, 30, 45, "This comparison has all its votes, so your vote is final.")]  // both: the overlap is named
    [InlineData(1, 3, 0, 0, "This project does not let raters change their votes.")]
    public void A_vote_is_changeable_until_its_comparison_has_all_its_votes_or_the_window_ends(int counted, int required, int window, double minutesLater, string? expected)
    {
        Assert.Equal(expected, VoteChangeRules.WhyFinal(counted, required, Voted, window, Voted.AddMinutes(minutesLater)));
        Assert.Equal(Voted.AddMinutes(window), VoteChangeRules.ChangeableUntil(Voted, window));
    }
}
