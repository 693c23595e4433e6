namespace Rlhf.Core.Projects;

/// <summary>
/// A task leased to one rater: a comparison (with the left/right order they are shown), or in a demonstration project a
/// prompt to write the reply to (<see cref="PromptId"/>; no comparison). Leases, overlap and quotas work the same for both.
/// </summary>
public sealed class Assignment
{
    public long Id { get; set; }
    public int ProjectId { get; set; }
    /// <summary>The comparison to rate; null for a demonstration task.</summary>
    public long? ComparisonId { get; set; }
    /// <summary>The prompt to write a demonstration for; null for a comparison.</summary>
    public long? PromptId { get; set; }
    public string RaterId { get; set; } = "";
    /// <summary>True when response A is shown on the left.</summary>
    public bool AShownLeft { get; set; }
    public AssignmentStatus Status { get; set; } = AssignmentStatus.Leased;
    public DateTime StartedAtUtc { get; set; }
    public DateTime LeaseExpiresAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }
    public string? SkipReason { get; set; }

    /// <summary>Open: leased and the lease has not run out at <paramref name="nowUtc"/>.</summary>
    public bool IsOpen(DateTime nowUtc) => Status == AssignmentStatus.Leased && LeaseExpiresAtUtc > nowUtc;
}
