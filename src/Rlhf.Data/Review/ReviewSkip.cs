namespace Rlhf.Data.Review;

/// <summary>A skip in the review queue: who, its kind (<see cref="Rlhf.Core.Rating.SkipReasons"/>) and the rater's whole reason.</summary>
public sealed record ReviewSkip(string Rater, string Kind, string Reason, DateTime? SkippedAtUtc);
