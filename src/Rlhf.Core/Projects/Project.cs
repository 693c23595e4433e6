namespace Rlhf.Core.Projects;

/// <summary>A rating campaign: its <see cref="ProjectSettings"/> (guidelines, overlap k, gold rate, lease time, status, ...), who made it and when.</summary>
public sealed class Project : ProjectSettings
{
    public int Id { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public string? CreatedById { get; set; }
    /// <summary>Comparisons or demonstrations, chosen when the project is made and never changed.</summary>
    public ProjectKind Kind { get; set; }
}
