using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class PercentAgreementTests
{
    /// <summary>
    /// With the same number of raters on every item, pairwise percent agreement equals Fleiss' P̄, which the
    /// Wikipedia "Fleiss' kappa" worked example gives as 0.378 (see <see cref="FleissKappaTests.WikipediaExample"/>).
    /// </summary>
    [Fact]
    public void Wikipedia_fleiss_example_has_mean_pair_agreement_0_378()
    {
        var units = FleissKappaTests.WikipediaExample
            .Select(counts => (IReadOnlyList<int>)counts.SelectMany((n, category) => Enumerable.Repeat(category, n)).ToArray())
            .ToList();
        Assert.Equal(0.378, AgreementStatistics.PercentAgreement(units), 0.001);
    }

    [Fact]
    public void It_counts_agreeing_pairs_over_all_pairs_within_units()
    {
        // Unit 1: 3 pairs, 1 agreeing. Unit 2: 1 pair, agreeing. Unit 3 has no pair.
        Assert.Equal(2.0 / 4, AgreementStatistics.PercentAgreement([[1, 1, 2], [0, 0], [2]]), 12);
    }

    [Fact]
    public void It_is_undefined_without_a_pair()
    {
        Assert.True(double.IsNaN(AgreementStatistics.PercentAgreement([])));
        Assert.True(double.IsNaN(AgreementStatistics.PercentAgreement([[1], [2], []])));
    }
}
