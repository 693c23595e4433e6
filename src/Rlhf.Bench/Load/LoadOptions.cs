namespace Rlhf.Bench.Load;

/// <summary>How one `bench load` level runs: raters, work, and when to stop (a duration, or a number of votes each).</summary>
internal sealed record LoadOptions(
    int Concurrency, int Comparisons, int Overlap, double WarmupSeconds, double DurationSeconds, int? VotesPerRater);
