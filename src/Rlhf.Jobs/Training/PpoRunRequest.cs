using System.Globalization;
using Rlhf.Jobs.Runs;
using Rlhf.Training;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// A PPO run's settings (the job's payload; <see cref="RunKind.Ppo"/>): fine-tune a registry policy against a registry
/// reward model on a project's prompts. The trainer's settings are <see cref="Config"/>, with <see cref="PpoConfig"/>'s defaults.
/// </summary>
public sealed record PpoRunRequest : IPolicyRunSettings
{
    public int Version { get; init; } = RunSettingsVersion.Current;
    public string Name { get; init; } = "";
    public int PolicyModelId { get; init; }
    public int RewardModelId { get; init; }
    /// <summary>The prompts come from this project.</summary>
    public int ProjectId { get; init; }
    /// <summary>Share of the project's prompts held out (not trained on) for closing the loop with raters.</summary>
    public double HeldOutFraction { get; init; } = 0.2;
    /// <summary>When set, training stops after the update that spends this many process CPU-seconds, or at its step count, whichever comes first (`rlhf bench loop`'s same-budget comparison).</summary>
    public double? MaxCpuSeconds { get; init; }
    public PpoConfig Config { get; init; } = new();

    public (int MaxNewTokens, double Temperature, long Seed) Sampling() => (Config.ResponseLength, Config.Temperature, Config.Seed);

    public IReadOnlyList<string> Validate() => RunSettingsChecks.Sentences(this);

    public IReadOnlyList<RunSettingsProblem> Problems()
    {
        var problems = RunSettingsChecks.Common(this, "the new policy");
        if (HeldOutFraction is < 0 or > 0.9) problems.Add(new(nameof(HeldOutFraction), "Held-out share must be between 0 and 0.9."));
        problems.AddRange(RunSettingsChecks.OfConfig(Config.Problems()));
        if (CpuBudget.Problem(MaxCpuSeconds) is { } budget) problems.Add(new(nameof(MaxCpuSeconds), budget + "."));
        return problems;
    }

    public IReadOnlyList<KeyValuePair<string, string>> KeySettings() =>
    [
        new("policy", $"model {PolicyModelId}"), new("reward model", $"model {RewardModelId}"), new("project", ProjectId.ToString(CultureInfo.InvariantCulture)),
        new("updates", Config.Steps.ToString(CultureInfo.InvariantCulture)), new("batch", Config.BatchSize.ToString(CultureInfo.InvariantCulture)),
        new("learning rate", Config.LearningRate.ToString("G3", CultureInfo.InvariantCulture)), new("kl_coef", Config.KlCoef.ToString("G3", CultureInfo.InvariantCulture)),
    ];
}
