using System.Text.Json.Serialization;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// The settings of a run as its job stores them (the payload), versioned: version 1 is the shape first stored, and a
/// payload without "version" is version 1. Each maps to its trainer's config. Written as an IRunSettings (the API's
/// run summaries) it carries its run kind's name as "kind"; a job's payload is written as the record itself, without it.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RewardRunRequest), "reward")]
[JsonDerivedType(typeof(PpoRunRequest), "ppo")]
[JsonDerivedType(typeof(SftRunRequest), "sft")]
[JsonDerivedType(typeof(GrpoRunRequest), "grpo")]
[JsonDerivedType(typeof(DpoRunRequest), "dpo")]
public interface IRunSettings : IJobRequest
{
    /// <summary>The shape of the stored settings; readers accept every version up to <see cref="RunSettingsVersion.Current"/>.</summary>
    int Version { get; }

    /// <summary>The run's name; the model it trains gets this name.</summary>
    string Name { get; }

    /// <summary>Every problem of these settings, each with the field it belongs to; empty when usable.</summary>
    IReadOnlyList<RunSettingsProblem> Problems();

    /// <summary>The few settings a run list shows, in order (label, value).</summary>
    IReadOnlyList<KeyValuePair<string, string>> KeySettings();
}
