namespace Rlhf.Core.Projects;

/// <summary>A comparison leased to one rater, with the left/right order they are shown.</summary>
public sealed class Assignment
{
    public long Id { get; set; }
    public int ProjectId { get; set; }
    public long ComparisonId { get; set; }
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
