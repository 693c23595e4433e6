using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>
/// A reward run: train a reward model from a base checkpoint in the registry on a project's votes (aggregated per
/// comparison) or on a TRL preference file, then register it.
/// </summary>
public sealed record RewardRunRequest
{
    public string Name { get; init; } = "";
    public int BaseModelId { get; init; }
    /// <summary>Train on this project's votes...</summary>
    public int? ProjectId { get; init; }
    /// <summary>...or on a TRL preference JSONL file ({"prompt","chosen","rejected"}) saved under the data folder.</summary>
    public string? DataFile { get; init; }
    /// <summary>Leave out comparisons whose votes agree less than this (share of votes in the winning direction).</summary>
    public double MinimumAgreement { get; init; }
    public RewardTrainingConfig Config { get; init; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200) errors.Add("Name the run (1 to 200 characters); the model gets this name.");
        if (ProjectId is null == string.IsNullOrWhiteSpace(DataFile)) errors.Add("Choose the data: a project's votes or a TRL preference file (one of them).");
        if (MinimumAgreement is < 0 or > 1) errors.Add("Minimum agreement must be between 0 and 1.");
        errors.AddRange(Config.Validate());
        return errors;
    }
}
