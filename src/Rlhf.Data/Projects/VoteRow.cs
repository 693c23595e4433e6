namespace Rlhf.Data.Projects;

/// <summary>A vote as admins see it on the project page (to void one).</summary>
public sealed record VoteRow(long Id, long ComparisonId, string Rater, int Strength, bool BothBad, string Rationale,
    double SecondsOnTask, DateTime SubmittedAtUtc, DateTime? VoidedAtUtc, string? VoidReason);
