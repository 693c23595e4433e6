using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class CohenKappaTests
{
    private static IReadOnlyList<(int, int)> Table(int[,] counts)
    {
        var pairs = new List<(int, int)>();
        for (var i = 0; i < counts.GetLength(0); i++)
            for (var j = 0; j < counts.GetLength(1); j++)
                pairs.AddRange(Enumerable.Repeat((i, j), counts[i, j]));
        return pairs;
    }

    /// <summary>
    /// Wikipedia, "Cohen's kappa", simple example: 50 grant proposals read by readers A and B, yes/no;
    /// both yes 20, A yes B no 5, A no B yes 10, both no 15; p_o = 0.70, p_e = 0.50, κ = 0.40
    /// (https://en.wikipedia.org/wiki/Cohen%27s_kappa; also worked at
    /// http://howcodex.com/statistics/cohen_kappa_coefficient.htm).
    /// </summary>
    [Fact]
    public void Wikipedia_grant_proposal_example_gives_0_4()
    {
        var pairs = Table(new[,] { { 20, 5 }, { 10, 15 } });
        Assert.Equal(0.4, AgreementStatistics.CohenKappa(pairs), 0.001);
        Assert.Equal(0.7, AgreementStatistics.PercentAgreement(pairs.Select(p => (IReadOnlyList<int>)new[] { p.Item1, p.Item2 }).ToList()), 0.001);
    }

    /// <summary>
    /// A 3×3 table printed by SAS PROC FREQ (simple kappa 0.4842, ASE 0.1380), used as the reference in statsmodels'
    /// stats/tests/test_inter_rater.py (UnweightedCohens): rows [0 4 1], [0 8 0], [0 1 5].
    /// </summary>
    [Fact]
    public void Sas_three_category_example_gives_0_4842() =>
        Assert.Equal(0.4842, AgreementStatistics.CohenKappa(Table(new[,] { { 0, 4, 1 }, { 0, 8, 0 }, { 0, 1, 5 } })), 0.001);

    [Fact]
    public void Perfect_agreement_is_one_and_it_is_undefined_without_pairs_or_variation()
    {
        Assert.Equal(1.0, AgreementStatistics.CohenKappa([(-1, -1), (0, 0), (1, 1)]), 12);
        Assert.True(double.IsNaN(AgreementStatistics.CohenKappa([])));
        Assert.True(double.IsNaN(AgreementStatistics.CohenKappa([(1, 1), (1, 1)])));
    }
}
