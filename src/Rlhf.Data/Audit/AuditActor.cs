namespace Rlhf.Data.Audit;

/// <summary>Who acts: a signed-in user's id and display name.</summary>
public sealed record AuditActor(string? UserId, string Name);
