namespace Rlhf.Data.Statistics;

/// <summary>
/// A project's progress and agreement. Agreement uses non-void votes: percent agreement and Fleiss' kappa on the
/// A / tie / B reduction (Fleiss over comparisons with at least k votes, first k votes each), Krippendorff's
/// alpha (ordinal) on the 5-point scale. NaN where there is not enough data. Skips with their reasons.
/// </summary>
public sealed record ProjectDashboard(
    int Comparisons,
    int CompleteComparisons,
    int Votes,
    int Skips,
    int OpenLeases,
    double PercentAgreement,
    double FleissKappa,
    double KrippendorffAlphaOrdinal,
    IReadOnlyList<(DateTime Hour, int Votes)> VotesPerHour,
    IReadOnlyList<RaterStatsRow> Raters)
{
    /// <summary>The votes every comparison asks for together (the sum of their required votes): progress long before any comparison is complete.</summary>
    public int VotesWanted { get; init; }

    /// <summary>The skipped comparisons, newest first (at most <see cref="ProjectStatisticsService.SkipRowsShown"/>).</summary>
    public IReadOnlyList<SkipRow> SkipRows { get; init; } = [];

    /// <summary>How many skips each reason's kind has, over all skips, most first.</summary>
    public IReadOnlyList<(string Kind, int Count)> SkipKinds { get; init; } = [];
}
