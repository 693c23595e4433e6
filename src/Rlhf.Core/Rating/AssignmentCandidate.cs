namespace Rlhf.Core.Rating;

/// <summary>
/// What the assignment engine knows of one comparison a rater could be given: it has never rated or skipped it,
/// and it belongs to an active project of one of the rater's pools (the database query ensures both).
/// </summary>
/// <param name="ComparisonId">The comparison.</param>
/// <param name="ProjectId">Its project.</param>
/// <param name="Votes">Submitted, not voided votes.</param>
/// <param name="OpenLeases">Assignments leased to other raters and not expired (each will probably become a vote).</param>
/// <param name="RequiredVotes">k, or more when adaptive overlap extended it (see AdaptiveOverlap).</param>
/// <param name="IsGold">A gold pair (served at the project's gold rate, looking like any other).</param>
public sealed record AssignmentCandidate(long ComparisonId, int ProjectId, int Votes, int OpenLeases, int RequiredVotes, bool IsGold);
