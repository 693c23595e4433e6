using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class PreferenceAggregationTests
{
    [Fact]
    public void Mean_strength_lets_a_strong_vote_cancel_two_weak_ones() =>
        Assert.Equal(new AggregatedPreference(0, 0, 0, 3), PreferenceAggregation.Aggregate([-2, 1, 1], AggregationMethod.MeanStrength));

    [Fact]
    public void Majority_counts_each_vote_once() =>
        Assert.Equal(new AggregatedPreference(1, 0, 2.0 / 3, 3), PreferenceAggregation.Aggregate([-2, 1, 1], AggregationMethod.Majority));

    [Fact]
    public void Mean_strength_takes_the_sign_of_the_mean()
    {
        var result = PreferenceAggregation.Aggregate([-2, 1, 1, 1], AggregationMethod.MeanStrength);
        Assert.Equal(1, result.Direction);
        Assert.Equal(0.25, result.MeanStrength, 12);
        Assert.Equal(0.75, result.Agreement, 12);
        Assert.Equal(4, result.Votes);
        Assert.Equal(-1, PreferenceAggregation.Aggregate([-1, -1, 0], AggregationMethod.MeanStrength).Direction);
    }

    [Fact]
    public void Majority_between_A_and_B_tied_is_undecided() =>
        Assert.Equal(new AggregatedPreference(0, 0, 0, 2), PreferenceAggregation.Aggregate([-1, 1], AggregationMethod.Majority));

    [Fact]
    public void Majority_of_tie_votes_is_a_tie()
    {
        var result = PreferenceAggregation.Aggregate([0, 0, -1], AggregationMethod.Majority);
        Assert.Equal(0, result.Direction);
        Assert.Equal(2.0 / 3, result.Agreement, 12);
    }

    [Fact]
    public void Tie_votes_level_with_a_side_leave_it_undecided()
    {
        var result = PreferenceAggregation.Aggregate([0, 0, -1, -2, 2], AggregationMethod.Majority);
        Assert.Equal(0, result.Direction);
        Assert.Equal(0.4, result.Agreement, 12);
        Assert.Equal(-0.2, result.MeanStrength, 12);
    }

    [Theory]
    [InlineData(AggregationMethod.MeanStrength)]
    [InlineData(AggregationMethod.Majority)]
    public void One_vote_is_its_own_preference_and_none_is_undecided(AggregationMethod method)
    {
        Assert.Equal(new AggregatedPreference(1, 2, 1, 1), PreferenceAggregation.Aggregate([2], method));
        Assert.Equal(new AggregatedPreference(0, 0, 0, 0), PreferenceAggregation.Aggregate([], method));
    }

    [Fact]
    public void Strengths_outside_the_scale_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PreferenceAggregation.Aggregate([1, 3], AggregationMethod.Majority));
}
