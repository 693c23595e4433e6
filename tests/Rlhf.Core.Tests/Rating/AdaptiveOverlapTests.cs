using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class AdaptiveOverlapTests
{
    [Theory]
    [InlineData(new int[0], 0.0)]
    [InlineData(new[] { 2 }, 0.0)]
    [InlineData(new[] { 1, 2 }, 0.0)]          // better and much better for B agree
    [InlineData(new[] { 0, 0 }, 0.0)]
    [InlineData(new[] { -1, 1 }, 0.5)]
    [InlineData(new[] { -2, -1, 1 }, 1.0 / 3)]
    [InlineData(new[] { -2, 0, 2 }, 2.0 / 3)]
    [InlineData(new[] { -1, 0, 0, 1, 2 }, 0.6)]
    public void Disagreement_is_one_minus_the_share_of_the_most_common_direction(int[] strengths, double expected) =>
        Assert.Equal(expected, AdaptiveOverlap.Disagreement(strengths), 12);

    [Fact]
    public void A_three_vote_comparison_split_three_ways_asks_m_more_raters() =>
        Assert.Equal(5, AdaptiveOverlap.RequiredVotes(3, 2, 0.34, [-2, 0, 1]));

    [Fact]
    public void A_two_against_one_split_stays_at_k_under_the_default_threshold_but_not_under_a_lower_one()
    {
        Assert.Equal(3, AdaptiveOverlap.RequiredVotes(3, 2, 0.34, [-2, -1, 1]));
        Assert.Equal(5, AdaptiveOverlap.RequiredVotes(3, 2, 0.3, [-2, -1, 1]));
    }

    [Fact]
    public void Agreeing_votes_stay_at_k() =>
        Assert.Equal(3, AdaptiveOverlap.RequiredVotes(3, 2, 0.0, [1, 2, 1]));

    [Fact]
    public void Fewer_than_k_votes_need_k_however_much_they_disagree() =>
        Assert.Equal(3, AdaptiveOverlap.RequiredVotes(3, 2, 0.0, [-2, 2]));

    [Fact]
    public void Zero_extra_raters_turns_it_off() =>
        Assert.Equal(3, AdaptiveOverlap.RequiredVotes(3, 0, 0.0, [-2, 0, 2]));

    [Fact]
    public void Only_the_first_k_votes_decide()
    {
        Assert.Equal(3, AdaptiveOverlap.RequiredVotes(3, 2, 0.34, [-2, -2, -2, 2, 0]));
        Assert.Equal(5, AdaptiveOverlap.RequiredVotes(3, 2, 0.34, [-2, 0, 2, -2, -2]));
    }

    [Fact]
    public void The_threshold_must_be_exceeded_not_just_reached() =>
        Assert.Equal(2, AdaptiveOverlap.RequiredVotes(2, 1, 0.5, [-1, 1]));

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveOverlap.RequiredVotes(0, 2, 0.3, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveOverlap.RequiredVotes(3, -1, 0.3, []));
    }
}
