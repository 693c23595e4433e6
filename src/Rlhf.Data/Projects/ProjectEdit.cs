using Rlhf.Core.Projects;

namespace Rlhf.Data.Projects;

/// <summary>The editable settings of a project, as the form and the API send them.</summary>
public sealed class ProjectEdit : ProjectSettings
{
    public List<int> PoolIds { get; set; } = [];
    /// <summary>Comparisons or demonstrations: read when the project is made, ignored afterwards.</summary>
    public ProjectKind Kind { get; set; }

    /// <summary>The longest window for changing a vote: a day.</summary>
    public const int MaxVoteChangeMinutes = 1440;

    /// <summary>Every problem, each a sentence naming the field; empty when valid.</summary>
    public List<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Kind)) errors.Add($"Kind: one of {string.Join(", ", Enum.GetNames<ProjectKind>())}.");
        if (!Enum.IsDefined(Status)) errors.Add($"Status: one of {string.Join(", ", Enum.GetNames<ProjectStatus>())}.");
        foreach (var (name, value) in new[] { ("Gold rate", GoldRate), ("Adaptive overlap threshold", AdaptiveThreshold), ("Gold accuracy threshold", GoldMinimumAccuracy) })
            if (!double.IsFinite(value)) errors.Add($"{name}: a finite number.");
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200) errors.Add("Name: 1 to 200 characters.");
        if (RaterTitle.Trim().Length > 200) errors.Add("Title for raters: at most 200 characters.");
        if (RaterDescription.Length > 2_000) errors.Add("Description for raters: at most 2,000 characters.");
        if (Guidelines.Length > 100_000) errors.Add("Guidelines: at most 100,000 characters.");
        if (Overlap is < 1 or > 20) errors.Add("Overlap k: between 1 and 20 raters per comparison.");
        if (GoldRate is < 0 or > 0.5) errors.Add("Gold rate: between 0% and 50%.");
        if (LeaseMinutes is < 1 or > 240) errors.Add("Lease time: between 1 and 240 minutes.");
        if (DailyQuota is < 1) errors.Add("Daily quota: empty (no quota) or at least 1.");
        if (AdaptiveExtraRaters is < 0 or > 10) errors.Add("Adaptive overlap m: between 0 (off) and 10 extra raters.");
        if (AdaptiveThreshold is < 0 or > 1) errors.Add("Adaptive overlap threshold: between 0 and 1.");
        if (GoldMinimumAccuracy is < 0 or > 1) errors.Add("Gold accuracy threshold: between 0% and 100%.");
        if (GoldMinimumAnswers < 1) errors.Add("Gold answers before flagging: at least 1.");
        if (VoteChangeMinutes is < 0 or > MaxVoteChangeMinutes) errors.Add($"Changing votes: between 0 (votes are final at once) and {MaxVoteChangeMinutes} minutes (a day).");
        return errors;
    }

    public static ProjectEdit From(Project p, IEnumerable<int> poolIds)
    {
        var edit = new ProjectEdit { PoolIds = poolIds.ToList(), Kind = p.Kind };
        p.CopySettingsTo(edit);
        return edit;
    }

    /// <summary>Writes these settings onto the stored project, the name trimmed.</summary>
    public void ApplyTo(Project p)
    {
        CopySettingsTo(p);
        p.Name = Name.Trim();
    }
}
