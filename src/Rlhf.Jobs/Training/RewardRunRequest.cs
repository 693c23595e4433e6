using System.Text.Json.Serialization;
using Rlhf.Core.Rating;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>
/// A reward run: train a reward model from a base checkpoint in the registry on a project's votes (aggregated per
/// comparison under a <see cref="PreferencePolicy"/>) or on a TRL preference file, then register it.
/// </summary>
public sealed record RewardRunRequest
{
    public string Name { get; init; } = "";
    public int BaseModelId { get; init; }
    /// <summary>Train on this project's votes...</summary>
    public int? ProjectId { get; init; }
    /// <summary>...or on a TRL preference JSONL file ({"prompt","chosen","rejected"}) saved under the data folder.</summary>
    public string? DataFile { get; init; }
    /// <summary>With a project: which comparisons become pairs and how their votes are combined, as in the TRL export.</summary>
    public PreferencePolicy Policy { get; init; } = new();

    /// <summary>
    /// Requests queued before <see cref="Policy"/> existed carried only a minimum agreement (with the default policy
    /// otherwise); read into <see cref="Policy"/> so a resumed old run trains on the pairs it was queued with.
    /// </summary>
    [JsonInclude, JsonPropertyName("minimumAgreement"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private double? LegacyMinimumAgreement
    {
        get => null;
        init { if (value is { } v) Policy = Policy with { MinimumAgreement = v }; }
    }
    public RewardTrainingConfig Config { get; init; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200) errors.Add("Name the run (1 to 200 characters); the model gets this name.");
        if (ProjectId is null == string.IsNullOrWhiteSpace(DataFile)) errors.Add("Choose the data: a project's votes or a TRL preference file (one of them).");
        if (ProjectId is not null) errors.AddRange(Policy.Validate());
        errors.AddRange(Config.Validate());
        return errors;
    }
}
