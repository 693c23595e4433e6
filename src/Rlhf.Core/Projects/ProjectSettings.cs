namespace Rlhf.Core.Projects;

/// <summary>
/// A project's editable settings: guidelines shown to raters, overlap k, gold rate, lease time, quota, adaptive
/// overlap and gold flagging, with their defaults. <see cref="Project"/> stores them; the form and the API edit them.
/// </summary>
public abstract class ProjectSettings
{
    /// <summary>The internal name researchers see; raters never do (it may name models).</summary>
    public string Name { get; set; } = "";
    /// <summary>The task's title on the rating page; empty: <see cref="DefaultRaterTitle"/>. Never shows the internal name.</summary>
    public string RaterTitle { get; set; } = "";
    /// <summary>One or two sentences under the title on the rating page (plain text); may be empty.</summary>
    public string RaterDescription { get; set; } = "";
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
    /// <summary>Demonstration projects: demonstrations are reviewed (accept / needs work / reject) and only accepted ones count.</summary>
    public bool ReviewDemonstrations { get; set; }
    /// <summary>
    /// Minutes after a vote during which its rater may change or undo it (until the comparison has all its votes, if that
    /// comes first); 0: votes are final when submitted.
    /// </summary>
    public int VoteChangeMinutes { get; set; } = DefaultVoteChangeMinutes;

    /// <summary>The window for changing a vote of a new project, in minutes.</summary>
    public const int DefaultVoteChangeMinutes = 30;

    /// <summary>The rating page's title of a project without a <see cref="RaterTitle"/>.</summary>
    public const string DefaultRaterTitle = "Which response is better?";

    /// <summary>The title raters see.</summary>
    public string TitleForRaters => string.IsNullOrWhiteSpace(RaterTitle) ? DefaultRaterTitle : RaterTitle.Trim();

    /// <summary>Copies every setting above onto <paramref name="target"/> as it is (no trimming, no checks).</summary>
    public void CopySettingsTo(ProjectSettings target)
    {
        target.Name = Name; target.RaterTitle = RaterTitle; target.RaterDescription = RaterDescription; target.Guidelines = Guidelines; target.Status = Status; target.Overlap = Overlap;
        target.GoldRate = GoldRate; target.LeaseMinutes = LeaseMinutes; target.DailyQuota = DailyQuota;
        target.RationaleRequired = RationaleRequired; target.AdaptiveExtraRaters = AdaptiveExtraRaters;
        target.AdaptiveThreshold = AdaptiveThreshold; target.GoldMinimumAccuracy = GoldMinimumAccuracy;
        target.GoldMinimumAnswers = GoldMinimumAnswers; target.PauseFlaggedRaters = PauseFlaggedRaters;
        target.ReviewDemonstrations = ReviewDemonstrations; target.VoteChangeMinutes = VoteChangeMinutes;
    }
}
