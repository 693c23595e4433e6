namespace Rlhf.Core.Demonstrations;

/// <summary>
/// The reply a rater wrote to a prompt of a demonstration project, through their assignment (the prompt leased to them),
/// and its review: <see cref="Verdict"/> with the reviewer's reason.
/// </summary>
public sealed class Demonstration
{
    public long Id { get; set; }
    public int ProjectId { get; set; }
    public long PromptId { get; set; }
    /// <summary>The assignment it answers (one demonstration per assignment).</summary>
    public long AssignmentId { get; set; }
    public string RaterId { get; set; } = "";
    /// <summary>The reply (markdown), trimmed.</summary>
    public string Text { get; set; } = "";
    public DateTime SubmittedAtUtc { get; set; }
    /// <summary>Seconds between the lease and the submit.</summary>
    public double SecondsOnTask { get; set; }
    public DemonstrationVerdict Verdict { get; set; } = DemonstrationVerdict.Pending;
    public string? ReviewReason { get; set; }
    public string? ReviewedById { get; set; }
    public DateTime? ReviewedAtUtc { get; set; }
}
