namespace Rlhf.Core.Rating;

/// <summary>
/// A rater's answer to one assignment: the 5-point strength relative to the comparison's A and B (-2..2), a
/// both-bad flag, a rationale and the seconds on task measured by the server. Never deleted; an admin may void it, and the rater may
/// change or undo it (undone: voided by the rater) while <see cref="VoteChangeRules"/> allow.
/// </summary>
public sealed class Vote
{
    public long Id { get; set; }
    /// <summary>Unique: one vote per assignment.</summary>
    public long AssignmentId { get; set; }
    public long ComparisonId { get; set; }
    public int ProjectId { get; set; }
    public string RaterId { get; set; } = "";
    /// <summary>-2 A much better .. 2 B much better (see <see cref="VoteStrength"/>).</summary>
    public int Strength { get; set; }
    public bool BothBad { get; set; }
    public string Rationale { get; set; } = "";
    /// <summary>True when A was on the left of the rater's screen.</summary>
    public bool AShownLeft { get; set; }
    /// <summary>From the assignment's start to the submit, measured on the server.</summary>
    public double SecondsOnTask { get; set; }
    public DateTime SubmittedAtUtc { get; set; }
    /// <summary>When the rater last changed their choice, both-bad flag or rationale (vote history); null if never.</summary>
    public DateTime? EditedAtUtc { get; set; }
    /// <summary>How often the rater changed this vote; the audit trail holds each change's before and after.</summary>
    public int EditCount { get; set; }
    public DateTime? VoidedAtUtc { get; set; }
    public string? VoidedById { get; set; }
    public string? VoidReason { get; set; }
}
