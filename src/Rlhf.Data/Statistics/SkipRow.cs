namespace Rlhf.Data.Statistics;

/// <summary>
/// One skipped comparison of a project: who skipped it (the rater's id for admins, the pseudonym for researchers, as in
/// <see cref="RaterStatsRow"/>), the reason's kind (<see cref="Rlhf.Core.Rating.SkipReasons"/>) and the reason as written.
/// </summary>
public sealed record SkipRow(long AssignmentId, long ComparisonId, string RaterId, string? Email, string Kind, string Reason, DateTime SkippedAtUtc);
