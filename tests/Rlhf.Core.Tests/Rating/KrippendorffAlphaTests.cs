using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class KrippendorffAlphaTests
{
    /// <summary>
    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", University of Pennsylvania,
    /// https://repository.upenn.edu/asc_papers/43, the example with any number of observers and missing data:
    /// observers A-D, units 1-12 (. = missing).
    /// <code>
    /// A: 1 2 3 3 2 1 4 1 2 . . .
    /// B: 1 2 3 3 2 2 4 1 2 5 . 3
    /// C: . 3 3 3 2 3 4 2 2 5 1 .
    /// D: 1 2 3 3 2 4 4 1 2 5 1 .
    /// </code>
    /// Published: nominal α = 0.743, ordinal α = 0.815, interval α = 0.849. Unit 12 has a single value and is not
    /// pairable. (The ordinal 0.815 on this matrix is also asserted by the `krippendorff` Python package's
    /// tests/test_krippendorff.py.) Listed here per unit, the shape our votes come in.
    /// </summary>
    private static readonly IReadOnlyList<IReadOnlyList<int>> Krippendorff2011 =
    [
        [1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
        [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3],
    ];

    /// <summary>
    /// Wikipedia, "Krippendorff's alpha", section "A computational example" (3 coders, 15 units, missing data):
    /// nominal α = 0.691 and interval α = 0.811 (https://en.wikipedia.org/wiki/Krippendorff%27s_alpha; the same
    /// matrix gives 0.691358 and 0.810845 in the `krippendorff` Python package's tests). Per unit:
    /// </summary>
    private static readonly IReadOnlyList<IReadOnlyList<int>> WikipediaExample =
    [
        [1], [], [2, 2], [1, 1], [3, 3], [3, 3, 4], [4, 4, 4], [1, 3],
        [2, 2], [1, 1], [1, 1], [3, 3], [3, 3], [], [3, 4],
    ];

    [Theory]
    [InlineData(AlphaMetric.Nominal, 0.743)]
    [InlineData(AlphaMetric.Ordinal, 0.815)]
    [InlineData(AlphaMetric.Interval, 0.849)]
    public void Krippendorff_2011_example_matches_the_published_values(AlphaMetric metric, double expected) =>
        Assert.Equal(expected, AgreementStatistics.KrippendorffAlpha(Krippendorff2011, metric), 0.001);

    [Theory]
    [InlineData(AlphaMetric.Nominal, 0.691)]
    [InlineData(AlphaMetric.Interval, 0.811)]
    public void Wikipedia_computational_example_matches_the_published_values(AlphaMetric metric, double expected) =>
        Assert.Equal(expected, AgreementStatistics.KrippendorffAlpha(WikipediaExample, metric), 0.001);

    [Theory]
    [InlineData(AlphaMetric.Nominal)]
    [InlineData(AlphaMetric.Ordinal)]
    [InlineData(AlphaMetric.Interval)]
    public void Our_minus_two_to_two_scale_gives_the_same_alpha_as_one_to_five(AlphaMetric metric)
    {
        var shifted = Krippendorff2011.Select(u => (IReadOnlyList<int>)u.Select(v => v - 3).ToArray()).ToList();
        Assert.Equal(
            AgreementStatistics.KrippendorffAlpha(Krippendorff2011, metric),
            AgreementStatistics.KrippendorffAlpha(shifted, metric), 12);
    }

    [Fact]
    public void Perfect_agreement_with_variation_is_one() =>
        Assert.Equal(1.0, AgreementStatistics.KrippendorffAlpha([[-2, -2, -2], [1, 1], [0, 0, 0]], AlphaMetric.Ordinal), 12);

    [Fact]
    public void It_is_undefined_without_pairable_values_or_without_variation()
    {
        Assert.True(double.IsNaN(AgreementStatistics.KrippendorffAlpha([], AlphaMetric.Nominal)));
        Assert.True(double.IsNaN(AgreementStatistics.KrippendorffAlpha([[1], [2], []], AlphaMetric.Nominal)));
        Assert.True(double.IsNaN(AgreementStatistics.KrippendorffAlpha([[2, 2], [2, 2, 2], [-1]], AlphaMetric.Ordinal)));
    }

    [Fact]
    public void Systematic_disagreement_is_below_zero() =>
        Assert.True(AgreementStatistics.KrippendorffAlpha([[-2, 2], [2, -2], [-2, 2]], AlphaMetric.Interval) < 0);
}
