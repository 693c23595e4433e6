namespace Rlhf.Data.Projects;

/// <summary>A project member as the project page and the API show them.</summary>
public sealed record ProjectMemberRow(string UserId, string Email, bool IsOwner, DateTime AddedAtUtc);
