namespace Rlhf.Data.Audit;

/// <summary>
/// Who acts: a signed-in user's id and display name, and whether they are an admin (admins see and manage every
/// project). An actor without a user id is the platform itself (the CLI, seeding, an invitation) and is not limited
/// to projects it is a member of.
/// </summary>
public sealed record AuditActor(string? UserId, string Name, bool IsAdmin = false)
{
    /// <summary>Sees and manages every project: an admin, or the platform itself.</summary>
    public bool SeesAllProjects => UserId is null || IsAdmin;
}
