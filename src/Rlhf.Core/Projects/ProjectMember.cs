namespace Rlhf.Core.Projects;

/// <summary>
/// A researcher who works on a project: its creator (the owner) and the researchers the owner or an admin added.
/// Only members and admins see or change a project, its data, its jobs and its runs.
/// </summary>
public sealed class ProjectMember
{
    public int ProjectId { get; set; }
    public string UserId { get; set; } = "";
    /// <summary>The owner may add and remove members; every project has at most one.</summary>
    public bool IsOwner { get; set; }
    public DateTime AddedAtUtc { get; set; }
    public string? AddedById { get; set; }
}
