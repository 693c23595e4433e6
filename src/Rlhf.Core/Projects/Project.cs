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
    /// <summary>Adaptive overlap: extra raters (m) asked when the first k votes disagree; 0 turns it off.</summary>
    public int AdaptiveExtraRaters { get; set; } = 2;
    /// <summary>Adaptive overlap: the disagreement (1 - share of the majority direction) above which m more are asked.</summary>
    public double AdaptiveThreshold { get; set; } = 0.34;
    /// <summary>Raters below this gold accuracy (over at least <see cref="GoldMinimumAnswers"/>) are flagged.</summary>
    public double GoldMinimumAccuracy { get; set; } = 0.7;
    public int GoldMinimumAnswers { get; set; } = 10;
    /// <summary>Flagged raters stop receiving this project's assignments.</summary>
    public bool PauseFlaggedRaters { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public string? CreatedById { get; set; }
}
