using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Grpo;

/// <summary>
/// The resumable checkpoint of a GRPO run, in the run's checkpoint folder (layout and saving: <see cref="TrainingStateFile"/>):
/// <code>
/// trainer_state.json                  the common fields, "prompts_sha256", "first_mean_reward", "last_mean_reward", "last_kl", "policy"
/// step-000010/policy/                 the policy in the Hugging Face layout (<see cref="ModelSaver"/>)
/// step-000010/optimizer.safetensors   AdamW moments and step count (<see cref="FusedAdamW"/>, the one optimizer-state format)
/// </code>
/// The prompt order and the random streams are recomputed from the seed and the step; "settings" are the ones a resume
/// must share (all but SampleEvery and CheckpointEvery).
/// </summary>
internal sealed record GrpoCheckpoint(TrainingCheckpoint Common, double FirstMeanReward, double LastMeanReward, double LastKl, string PolicyFolder)
{
    public const string Format = "rlhf-grpo-checkpoint/1";
    private const string ContentField = "prompts_sha256";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static GrpoCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, Format, "GRPO", ContentField, (json, common) => new GrpoCheckpoint(common,
            ReadDouble(json["first_mean_reward"]), ReadDouble(json["last_mean_reward"]), ReadDouble(json["last_kl"]),
            Path.Combine(folder, json["policy"]!.GetValue<string>())));

    /// <summary>What a checkpoint must share with a run of <paramref name="config"/> on <paramref name="prompts"/>.</summary>
    public static CheckpointKey KeyOf(GrpoConfig config, IReadOnlyList<string> prompts) =>
        new(ContentField, "prompts", ContentHash.Of(prompts), config.Seed, config.Steps, SettingsOf(config),
            () => CheckpointSettings.LegacyHash(config with { SampleEvery = 1, CheckpointEvery = 1 }));

    /// <summary>Saves the policy, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, CheckpointKey key, TrainedWeights policy, string policySourceFolder, FusedAdamW optimizer,
        long step, double firstMeanReward, double lastMeanReward, double lastKl) =>
        TrainingStateFile.Save(folder, Format, step, key,
            stepFolder => policy.Save(Path.Combine(stepFolder, "policy"), policySourceFolder),
            optimizer.Save, name => new JsonObject
            {
                ["first_mean_reward"] = WriteDouble(firstMeanReward),
                ["last_mean_reward"] = WriteDouble(lastMeanReward),
                ["last_kl"] = WriteDouble(lastKl),
                ["policy"] = $"{name}/policy",
            });

    /// <summary>Version of <see cref="SettingsOf"/>: raise it when a listed setting changes meaning.</summary>
    public const int SettingsVersion = 1;

    /// <summary>The settings that shape the run, TRL's names, each with <see cref="GrpoConfig"/>'s default.</summary>
    public static CheckpointSettings SettingsOf(GrpoConfig c)
    {
        var d = new GrpoConfig();
        return new CheckpointSettings(SettingsVersion,
        [
            CheckpointSetting.Of("max_steps", c.Steps, d.Steps), CheckpointSetting.Of("batch_size", c.BatchSize, d.BatchSize),
            CheckpointSetting.Of("num_generations", c.NumGenerations, d.NumGenerations), CheckpointSetting.Of("num_iterations", c.NumIterations, d.NumIterations),
            CheckpointSetting.Of("steps_per_generation", c.MiniBatches, d.MiniBatches),
            CheckpointSetting.Of("learning_rate", c.LearningRate, d.LearningRate), CheckpointSetting.Of("lr_scheduler_type", c.LrSchedulerType, d.LrSchedulerType),
            CheckpointSetting.Of("max_grad_norm", c.MaxGradNorm, d.MaxGradNorm), CheckpointSetting.Of("adam_epsilon", c.AdamEpsilon, d.AdamEpsilon),
            CheckpointSetting.Of("weight_decay", c.WeightDecay, d.WeightDecay),
            CheckpointSetting.Of("max_completion_length", c.MaxCompletionLength, d.MaxCompletionLength),
            CheckpointSetting.Of("max_prompt_length", c.MaxPromptLength, d.MaxPromptLength),
            CheckpointSetting.Of("temperature", c.Temperature, d.Temperature), CheckpointSetting.Of("stop_token_id", c.StopTokenId, d.StopTokenId),
            CheckpointSetting.Of("missing_eos_penalty", c.MissingEosPenalty, d.MissingEosPenalty), CheckpointSetting.Of("beta", c.Beta, d.Beta),
            CheckpointSetting.Of("epsilon", c.Epsilon, d.Epsilon), CheckpointSetting.Of("epsilon_high", c.EpsilonHigh, d.EpsilonHigh),
            CheckpointSetting.Of("scale_rewards", c.ScaleRewards, d.ScaleRewards), CheckpointSetting.Of("loss_type", c.LossType, d.LossType),
            CheckpointSetting.Of("seed", c.Seed, d.Seed),
            .. LoraConfig.SettingsOf(c.Lora),
        ]);
    }

    // NaN (no update yet) is stored as null: JSON has no NaN.
    private static JsonNode? WriteDouble(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double ReadDouble(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
}
