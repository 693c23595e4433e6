namespace Rlhf.Bench.Load;

/// <summary>
/// How one `bench load` level runs: raters, work, and when to stop (a duration, or a number of votes each); on how many
/// site processes, and on SQLite or on a fresh database of the PostgreSQL server <see cref="PostgresServer"/> names;
/// <see cref="KillAtSeconds"/>: kill -9 the first site that many seconds into the measured window, then restart it.
/// </summary>
internal sealed record LoadOptions(
    int Concurrency, int Comparisons, int Overlap, double WarmupSeconds, double DurationSeconds, int? VotesPerRater,
    int Sites = 1, string? PostgresServer = null, double? KillAtSeconds = null);
