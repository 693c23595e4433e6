using Rlhf.Core.Demonstrations;

namespace Rlhf.Data.Demonstrations;

/// <summary>A rater's demonstration as researchers and reviewers see it, with its review.</summary>
public sealed record DemonstrationRow(
    long Id, long PromptId, string RaterEmail, string Text, DateTime SubmittedAtUtc, DemonstrationVerdict Verdict, string? ReviewReason, bool Counts);
