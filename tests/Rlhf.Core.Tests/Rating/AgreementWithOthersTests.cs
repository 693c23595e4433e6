using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class AgreementWithOthersTests
{
    [Fact]
    public void Each_rater_is_compared_with_the_majority_direction_of_the_others()
    {
        IReadOnlyList<IReadOnlyList<(string Rater, int Value)>> units =
        [
            [("r1", -2), ("r2", -1), ("r3", 1)],  // r1, r2: the others are split (A vs B), skipped; r3: others say A
            [("r1", 2), ("r2", 1), ("r3", 2)],    // everyone agrees on B, strengths aside
            [("r1", 0), ("r2", 0)],               // both see a tie
            [("r4", 1)],                          // alone: nobody to compare with
        ];
        var agreement = AgreementStatistics.AgreementWithOthers(units);
        Assert.Equal(1.0, agreement["r1"], 12);
        Assert.Equal(1.0, agreement["r2"], 12);
        Assert.Equal(0.5, agreement["r3"], 12);
        Assert.False(agreement.ContainsKey("r4"));
        Assert.Equal(3, agreement.Count);
    }

    [Fact]
    public void A_raters_own_other_entries_are_not_the_others()
    {
        IReadOnlyList<IReadOnlyList<(string Rater, int Value)>> units = [[("r5", -1), ("r5", 1), ("r6", 1)]];
        var agreement = AgreementStatistics.AgreementWithOthers(units);
        Assert.Equal(0.5, agreement["r5"], 12);     // compared twice with r6's B
        Assert.False(agreement.ContainsKey("r6"));  // r5's A and B tie: no majority
    }

    [Fact]
    public void A_plurality_of_the_others_counts_as_their_majority()
    {
        IReadOnlyList<IReadOnlyList<(string Rater, int Value)>> units = [[("me", 0), ("a", 0), ("b", 0), ("c", -1), ("d", 2)]];
        Assert.Equal(1.0, AgreementStatistics.AgreementWithOthers(units)["me"], 12);
    }

    [Fact]
    public void No_units_give_no_raters() =>
        Assert.Empty(AgreementStatistics.AgreementWithOthers([]));
}
