using System.Globalization;
using Rlhf.Core.Rating;
using Rlhf.Jobs.Runs;
using Rlhf.Training;
using Rlhf.Training.Dpo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// A DPO run's settings (the job's payload; <see cref="RunKind.Dpo"/>): fine-tune a registry policy straight from
/// preferences, a project's votes (the same <see cref="PreferencePolicy"/> rule and options as the export and reward runs)
/// or a TRL preference file, against a frozen reference (the policy's starting checkpoint unless another is chosen). With
/// a project, the pairs of its held-out prompts (<see cref="PromptSplit"/>, as PPO holds them out) are not trained on, so
/// "rate against the reference" has new prompts to rate. The trainer's settings are <see cref="Config"/>.
/// </summary>
public sealed record DpoRunRequest : IRunSettings
{
    public int Version { get; init; } = RunSettingsVersion.Current;
    public string Name { get; init; } = "";
    public int PolicyModelId { get; init; }
    /// <summary>The frozen reference; null: the policy's starting checkpoint.</summary>
    public int? ReferenceModelId { get; init; }
    /// <summary>Train on this project's votes...</summary>
    public int? ProjectId { get; init; }
    /// <summary>...or on a TRL preference JSONL file saved under the data folder.</summary>
    public string? DataFile { get; init; }
    /// <summary>With a project: which comparisons become pairs and how their votes are combined, as in the TRL export.</summary>
    public PreferencePolicy Policy { get; init; } = new();
    /// <summary>With a project: share of its prompts held out (their pairs not trained on) for rating the result.</summary>
    public double HeldOutFraction { get; init; } = 0.2;
    /// <summary>When set, training stops after the update that spends this many process CPU-seconds, or at its step count, whichever comes first (`rlhf bench loop`'s same-budget comparison).</summary>
    public double? MaxCpuSeconds { get; init; }
    public DpoConfig Config { get; init; } = new();

    public IReadOnlyList<string> Validate() => RunSettingsChecks.Sentences(this);

    public IReadOnlyList<RunSettingsProblem> Problems()
    {
        var problems = RunSettingsChecks.Common(this, "the new policy");
        if (ProjectId is null == string.IsNullOrWhiteSpace(DataFile)) problems.Add(new(nameof(ProjectId), "Choose the data: a project's votes or a TRL preference file (one of them)."));
        if (ProjectId is not null) problems.AddRange(Policy.Validate().Select(m => new RunSettingsProblem(nameof(Policy), m)));
        if (HeldOutFraction is < 0 or > 0.9) problems.Add(new(nameof(HeldOutFraction), "Held-out share must be between 0 and 0.9."));
        problems.AddRange(RunSettingsChecks.OfConfig(Config.Problems()));
        if (CpuBudget.Problem(MaxCpuSeconds) is { } budget) problems.Add(new(nameof(MaxCpuSeconds), budget + "."));
        return problems;
    }

    public IReadOnlyList<KeyValuePair<string, string>> KeySettings() =>
    [
        new("policy", $"model {PolicyModelId}"), new("reference", ReferenceModelId is { } r ? $"model {r}" : "the policy"),
        new("data", ProjectId is { } p ? $"project {p}" : Path.GetFileName(DataFile ?? "")),
        new("loss", Config.LossType), new("beta", Config.Beta.ToString("G3", CultureInfo.InvariantCulture)),
        new("epochs", Config.Epochs.ToString(CultureInfo.InvariantCulture)), new("learning rate", Config.LearningRate.ToString("G3", CultureInfo.InvariantCulture)),
    ];
}
