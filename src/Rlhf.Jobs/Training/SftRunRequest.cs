using System.Globalization;
using Rlhf.Core.Rating;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Sft;

namespace Rlhf.Jobs.Training;

/// <summary>
/// An SFT run's settings (the job's payload; <see cref="RunKind.Sft"/>): fine-tune a base model from the registry on
/// demonstrations: the chosen side of a project's preference pairs (under <see cref="Policy"/>, as the TRL export selects
/// them) or a TRL SFT / preference file; then register the model (with LoRA: the base with the adapter merged in, the
/// adapter kept in the run's folder). The trainer's settings are <see cref="Config"/>, with <see cref="SftConfig"/>'s defaults.
/// </summary>
public sealed record SftRunRequest : IRunSettings
{
    public int Version { get; init; } = RunSettingsVersion.Current;
    public string Name { get; init; } = "";
    public int BaseModelId { get; init; }
    /// <summary>Train on this project's data: a demonstration project's demonstrations that count, or the chosen side of a comparison project's preference pairs...</summary>
    public int? ProjectId { get; init; }
    /// <summary>...or on a TRL SFT file ({"prompt","completion"} or {"messages"}) or preference file saved under the data folder.</summary>
    public string? DataFile { get; init; }
    /// <summary>With a comparison project: which comparisons become pairs (their chosen side is trained on), as in the TRL export.</summary>
    public PreferencePolicy Policy { get; init; } = new();
    public SftConfig Config { get; init; } = new();

    public IReadOnlyList<string> Validate() => RunSettingsChecks.Sentences(this);

    public IReadOnlyList<RunSettingsProblem> Problems()
    {
        var problems = RunSettingsChecks.Common(this, "the model");
        if (ProjectId is null == string.IsNullOrWhiteSpace(DataFile)) problems.Add(new(nameof(ProjectId), "Choose the data: a project (its demonstrations, or its comparisons' chosen responses) or a TRL SFT file (one of them)."));
        if (ProjectId is not null) problems.AddRange(Policy.Validate().Select(m => new RunSettingsProblem(nameof(Policy), m)));
        problems.AddRange(RunSettingsChecks.OfConfig(Config.Problems()));
        return problems;
    }

    public IReadOnlyList<KeyValuePair<string, string>> KeySettings() =>
    [
        new("base model", $"model {BaseModelId}"), new("data", ProjectId is { } p ? $"project {p}" : Path.GetFileName(DataFile ?? "")),
        new("method", Config.Lora is { } l ? $"LoRA r={l.Rank}" : "full"),
        new("epochs", Config.Epochs.ToString(CultureInfo.InvariantCulture)),
        new("learning rate", Config.LearningRate.ToString("G3", CultureInfo.InvariantCulture)),
    ];
}
