namespace Rlhf.Core.Audit;

/// <summary>One line of the audit trail: who did what to what, and when. Never updated or deleted.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    /// <summary>The acting user's id, or null for the system (bootstrap, CLI without a user).</summary>
    public string? ActorId { get; set; }
    public string ActorName { get; set; } = "system";
    /// <summary>A dotted verb such as "user.created", "user.roles-changed", "user.locked".</summary>
    public string Action { get; set; } = "";
    public string Target { get; set; } = "";
    public string Details { get; set; } = "";
}
