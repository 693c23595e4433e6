namespace Rlhf.Core.Projects;

/// <summary>A rating campaign: guidelines shown to raters, overlap k, gold rate, lease time and status.</summary>
public sealed class Project
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Markdown shown to raters (rendered and sanitised).</summary>
    public string Guidelines { get; set; } = "";
    public ProjectStatus Status { get; set; } = ProjectStatus.Draft;
    /// <summary>Distinct raters per comparison (k).</summary>
    public int Overlap { get; set; } = 3;
    /// <summary>Fraction of assignments that are gold pairs.</summary>
    public double GoldRate { get; set; } = 0.05;
    public int LeaseMinutes { get; set; } = 15;
    public int? DailyQuota { get; set; }
    public bool RationaleRequired { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public string? CreatedById { get; set; }
}
