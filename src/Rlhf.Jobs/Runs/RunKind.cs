using System.Text.Json;
using System.Text.Json.Serialization;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// The kinds of training run, a closed set: each is a job kind, a settings record stored as the job's payload, and the
/// metrics a run list shows. A new kind (DPO, GRPO, SFT) is one more instance here, its settings record, its trainer
/// behind a <see cref="TrainingJobHost"/>, and its form.
/// </summary>
[JsonConverter(typeof(RunKindJsonConverter))]
public sealed class RunKind
{
    public static readonly RunKind Reward = new("reward", RewardRunJobHandler.JobKind, "reward", typeof(RewardRunRequest), ["train/loss", "eval/accuracy"]);
    public static readonly RunKind Ppo = new("ppo", PpoRunJobHandler.JobKind, "PPO", typeof(PpoRunRequest), ["objective/scores", "objective/kl"]);
    public static readonly RunKind Grpo = new("grpo", GrpoRunJobHandler.JobKind, "GRPO", typeof(GrpoRunRequest), ["reward", "kl"]);

    public static readonly RunKind Sft = new("sft", SftRunJobHandler.JobKind, "SFT", typeof(SftRunRequest), ["loss", "eval_loss"]);

    public static readonly RunKind Dpo = new("dpo", DpoRunJobHandler.JobKind, "DPO", typeof(DpoRunRequest), ["train/loss", "eval/rewards/accuracies"]);

    public static IReadOnlyList<RunKind> All { get; } = [Reward, Ppo, Dpo, Grpo, Sft];

    private RunKind(string name, string jobKind, string label, Type settingsType, IReadOnlyList<string> keyMetrics)
    {
        Name = name;
        JobKind = jobKind;
        Label = label;
        SettingsType = settingsType;
        KeyMetrics = keyMetrics;
    }

    /// <summary>"reward", "ppo", "grpo": the kind's name in URLs and the API.</summary>
    public string Name { get; }
    /// <summary>The <see cref="Rlhf.Core.Jobs.Job.Kind"/> of its jobs.</summary>
    public string JobKind { get; }
    /// <summary>How pages name it: "reward", "PPO".</summary>
    public string Label { get; }
    /// <summary>The <see cref="IRunSettings"/> record its job payload holds.</summary>
    public Type SettingsType { get; }
    /// <summary>The metrics (TRL's names) whose latest values a run list shows.</summary>
    public IReadOnlyList<string> KeyMetrics { get; }

    /// <summary>The run kind of a job kind, or null when the job is not a run.</summary>
    public static RunKind? OfJob(string jobKind) => All.FirstOrDefault(k => k.JobKind == jobKind);

    /// <summary>The settings of a job payload of this kind, any version (a payload without "version" is version 1).</summary>
    /// <exception cref="JsonException">The payload is not this kind's settings.</exception>
    public IRunSettings ReadSettings(string payloadJson) =>
        JsonSerializer.Deserialize(payloadJson, SettingsType, JobQueue.Json) as IRunSettings
        ?? throw new JsonException($"a {Label} run's payload is empty");

    public override string ToString() => Name;
}
