using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class GoldGradingTests
{
    [Theory]
    [InlineData(GoldSide.A, 1, -2, true)]
    [InlineData(GoldSide.A, 1, -1, true)]
    [InlineData(GoldSide.A, 1, 0, false)]
    [InlineData(GoldSide.A, 1, 1, false)]
    [InlineData(GoldSide.A, 1, 2, false)]
    [InlineData(GoldSide.A, 2, -2, true)]
    [InlineData(GoldSide.A, 2, -1, false)]
    [InlineData(GoldSide.B, 1, 2, true)]
    [InlineData(GoldSide.B, 1, 1, true)]
    [InlineData(GoldSide.B, 1, 0, false)]
    [InlineData(GoldSide.B, 1, -1, false)]
    [InlineData(GoldSide.B, 2, 2, true)]
    [InlineData(GoldSide.B, 2, 1, false)]
    [InlineData(GoldSide.B, 2, -2, false)]
    public void A_vote_is_correct_when_it_prefers_the_gold_side_strongly_enough(GoldSide side, int minimum, int vote, bool correct) =>
        Assert.Equal(correct, GoldGrading.IsCorrect(side, minimum, vote));

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 3)]
    [InlineData(1, -3)]
    public void Invalid_minimums_or_votes_are_rejected(int minimum, int vote) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GoldGrading.IsCorrect(GoldSide.A, minimum, vote));

    [Fact]
    public void Accuracy_is_null_before_any_gold_and_correct_over_answered_after()
    {
        Assert.Null(new RaterGoldStats(0, 0).Accuracy);
        Assert.Equal(0.7, new RaterGoldStats(10, 7).Accuracy);
        Assert.Equal(new RaterGoldStats(4, 3), new RaterGoldStats(4, 3));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(3, 4)]
    [InlineData(3, -1)]
    public void Impossible_gold_records_are_rejected(int answered, int correct) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaterGoldStats(answered, correct));

    [Theory]
    [InlineData(10, 6, true)]    // 60% over 10 gold
    [InlineData(10, 7, false)]   // exactly the threshold is not below it
    [InlineData(20, 13, true)]
    [InlineData(9, 0, false)]    // too few gold answers to judge
    [InlineData(0, 0, false)]
    public void Raters_below_seventy_percent_over_at_least_ten_gold_are_flagged(int answered, int correct, bool flagged) =>
        Assert.Equal(flagged, RaterQuality.IsFlagged(new RaterGoldStats(answered, correct)));

    [Fact]
    public void The_threshold_and_minimum_are_project_settings()
    {
        Assert.True(RaterQuality.IsFlagged(new RaterGoldStats(5, 4), threshold: 0.9, minimumGold: 5));
        Assert.False(RaterQuality.IsFlagged(new RaterGoldStats(5, 4), threshold: 0.9, minimumGold: 6));
    }

    [Theory]
    [InlineData(-2, -1)]
    [InlineData(-1, -1)]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    public void A_votes_direction_is_its_sign(int strength, int direction) =>
        Assert.Equal(direction, VoteStrength.Direction(strength));
}
