using System.Globalization;
using System.Text.Json.Serialization;
using Rlhf.Core.Rating;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>
/// A reward run's settings (the job's payload; <see cref="RunKind.Reward"/>): train a reward model from a base checkpoint
/// in the registry on a project's votes (aggregated per comparison under a <see cref="PreferencePolicy"/>) or on a TRL
/// preference file, then register it. The trainer's settings are <see cref="Config"/>, with <see cref="RewardTrainingConfig"/>'s defaults.
/// </summary>
public sealed record RewardRunRequest : IRunSettings
{
    public int Version { get; init; } = RunSettingsVersion.Current;
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

    public IReadOnlyList<string> Validate() => RunSettingsChecks.Sentences(this);

    public IReadOnlyList<RunSettingsProblem> Problems()
    {
        var problems = RunSettingsChecks.Common(this, "the model");
        if (ProjectId is null == string.IsNullOrWhiteSpace(DataFile)) problems.Add(new(nameof(ProjectId), "Choose the data: a project's votes or a TRL preference file (one of them)."));
        if (ProjectId is not null) problems.AddRange(Policy.Problems().Select(p => new RunSettingsProblem($"{nameof(Policy)}.{p.Field}", p.Sentence)));
        problems.AddRange(RunSettingsChecks.OfConfig(Config.Problems()));
        return problems;
    }

    public IReadOnlyList<KeyValuePair<string, string>> KeySettings() =>
    [
        new("base model", $"model {BaseModelId}"), new("data", ProjectId is { } p ? $"project {p}" : Path.GetFileName(DataFile ?? "")),
        new("epochs", Config.Epochs.ToString(CultureInfo.InvariantCulture)), new("batch pairs", Config.BatchPairs.ToString(CultureInfo.InvariantCulture)),
        new("learning rate", Config.LearningRate.ToString("G3", CultureInfo.InvariantCulture)),
    ];
}
