using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class FleissKappaTests
{
    /// <summary>
    /// Wikipedia, "Fleiss' kappa", section "Worked example": 10 subjects, 14 raters, 5 categories;
    /// P̄ = 0.378, P̄e = 0.213, κ = 0.210 (https://en.wikipedia.org/wiki/Fleiss%27_kappa; the same table and value
    /// are used by statsmodels' stats/tests/test_inter_rater.py, test_fleiss_kappa).
    /// </summary>
    internal static readonly int[][] WikipediaExample =
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ];

    /// <summary>
    /// Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin 76(5):378-382:
    /// 30 patients, each diagnosed by 6 psychiatrists into 5 categories; κ = .430 (reproduced as 0.4302445 by
    /// R irr::kappam.fleiss on irr's `diagnoses` data, as quoted in statsmodels' test_inter_rater.py).
    /// One row per patient: the 6 diagnoses, categories 1..5.
    /// </summary>
    private static readonly int[][] FleissDiagnoses =
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ];

    [Fact]
    public void Wikipedia_worked_example_gives_0_210() =>
        Assert.Equal(0.210, AgreementStatistics.FleissKappa(WikipediaExample), 0.001);

    [Fact]
    public void Fleiss_1971_psychiatric_diagnoses_give_0_430()
    {
        var counts = FleissDiagnoses
            .Select(row => (IReadOnlyList<int>)Enumerable.Range(1, 5).Select(c => row.Count(d => d == c)).ToArray())
            .ToList();
        Assert.Equal(0.430, AgreementStatistics.FleissKappa(counts), 0.001);
    }

    [Fact]
    public void Perfect_agreement_across_categories_is_one() =>
        Assert.Equal(1.0, AgreementStatistics.FleissKappa([[3, 0, 0], [0, 3, 0], [0, 0, 3]]), 12);

    [Fact]
    public void It_is_undefined_without_items_without_pairs_or_without_variation()
    {
        Assert.True(double.IsNaN(AgreementStatistics.FleissKappa([])));
        Assert.True(double.IsNaN(AgreementStatistics.FleissKappa([[1, 0, 0], [0, 1, 0]])));
        Assert.True(double.IsNaN(AgreementStatistics.FleissKappa([[3, 0, 0], [3, 0, 0]])));
    }

    [Fact]
    public void Items_with_different_numbers_of_raters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => AgreementStatistics.FleissKappa([[3, 0, 0], [2, 0, 0]]));
        Assert.Throws<ArgumentException>(() => AgreementStatistics.FleissKappa([[3, 0, 0], [3, 0]]));
    }
}
