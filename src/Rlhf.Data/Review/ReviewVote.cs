namespace Rlhf.Data.Review;

/// <summary>A counted vote in the review queue: who (e-mail for admins, the project's pseudonym otherwise), its strength (-2..2 relative to A and B), and whether it misses the gold answer.</summary>
public sealed record ReviewVote(string Rater, int Strength, bool BothBad, string Rationale, DateTime SubmittedAtUtc, double SecondsOnTask, bool GoldMiss);
