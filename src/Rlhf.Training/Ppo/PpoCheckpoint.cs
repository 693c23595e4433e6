using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;

namespace Rlhf.Training.Ppo;

/// <summary>
/// The resumable checkpoint of a PPO run, in the run's checkpoint folder (layout and saving: <see cref="TrainingStateFile"/>):
/// <code>
/// trainer_state.json                  the common fields, "prompts_sha256" and "episode", "kl_coef", "first_mean_score",
///                                      "last_mean_score", "last_kl", "policy", "value"
/// step-000050/policy/                 config.json, model.safetensors (HF layout, *ForCausalLM) and the tokenizer files
/// step-000050/value/                  config.json, model.safetensors (HF layout, *ForSequenceClassification)
/// step-000050/optimizer.safetensors   AdamW moments of policy/* and value/* and the step count (<see cref="Optim.FusedAdamW"/>)
/// </code>
/// kl_coef is the current (adaptive) beta. The data order and the random streams are not stored: they are recomputed
/// from the seed and the step. "settings" (<see cref="CheckpointSettings"/>) are the settings a resume must share;
/// checkpoints written before they existed carry "config_sha256" (a hash of the config's JSON) instead, still honoured.
/// Format 2: the optimizer state moved from TorchSharp's optimizer.bin to the one format of every trainer; a format-1
/// checkpoint is refused with a message naming its file.
/// </summary>
internal sealed record PpoCheckpoint(TrainingCheckpoint Common, double KlCoef, double FirstMeanScore, double LastMeanScore, double LastKl,
    string PolicyFolder, string ValueFolder)
{
    public const string Format = "rlhf-ppo-checkpoint/2";
    private const string ContentField = "prompts_sha256";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static PpoCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, Format, "PPO", ContentField, (json, common) => new PpoCheckpoint(common,
            json["kl_coef"]!.GetValue<double>(), ReadDouble(json["first_mean_score"]), ReadDouble(json["last_mean_score"]),
            ReadDouble(json["last_kl"]), Path.Combine(folder, json["policy"]!.GetValue<string>()), Path.Combine(folder, json["value"]!.GetValue<string>())));

    /// <summary>What a checkpoint must share with a run of <paramref name="config"/> on <paramref name="prompts"/>.</summary>
    public static CheckpointKey KeyOf(PpoConfig config, IReadOnlyList<string> prompts) =>
        new(ContentField, "prompts", ContentHash.Of(prompts), config.Seed, config.Steps, SettingsOf(config), () => LegacyConfigHash(config));

    /// <summary>Saves both models, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, CheckpointKey key, TrainedWeights policy, string policySource, TrainedWeights valueModel, string valueSource,
        PpoOptimizer optimizer, long step, long episode, double klCoef, double firstMeanScore, double lastMeanScore, double lastKl) =>
        TrainingStateFile.Save(folder, Format, step, key, stepFolder =>
        {
            policy.Save(Path.Combine(stepFolder, "policy"), policySource);
            valueModel.Save(Path.Combine(stepFolder, "value"), valueSource);
        }, optimizer.Save, name => new JsonObject
        {
            ["episode"] = episode,
            ["kl_coef"] = klCoef,
            ["first_mean_score"] = WriteDouble(firstMeanScore),
            ["last_mean_score"] = WriteDouble(lastMeanScore),
            ["last_kl"] = WriteDouble(lastKl),
            ["policy"] = $"{name}/policy",
            ["value"] = $"{name}/value",
        });

    /// <summary>Version of <see cref="SettingsOf"/>: raise it when a listed setting changes meaning.</summary>
    public const int SettingsVersion = 1;

    /// <summary>
    /// The settings that shape the run (all but SampleEvery and CheckpointEvery), TRL's names, each with
    /// <see cref="PpoConfig"/>'s default. A setting added to PpoConfig is listed here only when it changes the result.
    /// </summary>
    public static CheckpointSettings SettingsOf(PpoConfig c)
    {
        var d = new PpoConfig();
        return new CheckpointSettings(SettingsVersion,
        [
            CheckpointSetting.Of("total_steps", c.Steps, d.Steps), CheckpointSetting.Of("batch_size", c.BatchSize, d.BatchSize),
            CheckpointSetting.Of("num_mini_batches", c.MiniBatches, d.MiniBatches), CheckpointSetting.Of("num_ppo_epochs", c.PpoEpochs, d.PpoEpochs),
            CheckpointSetting.Of("learning_rate", c.LearningRate, d.LearningRate), CheckpointSetting.Of("lr_scheduler_type", c.LrSchedulerType, d.LrSchedulerType),
            CheckpointSetting.Of("max_grad_norm", c.MaxGradNorm, d.MaxGradNorm), CheckpointSetting.Of("adam_epsilon", c.AdamEpsilon, d.AdamEpsilon),
            CheckpointSetting.Of("weight_decay", c.WeightDecay, d.WeightDecay), CheckpointSetting.Of("response_length", c.ResponseLength, d.ResponseLength),
            CheckpointSetting.Of("temperature", c.Temperature, d.Temperature), CheckpointSetting.Of("stop_token_id", c.StopTokenId, d.StopTokenId),
            CheckpointSetting.Of("missing_eos_penalty", c.MissingEosPenalty, d.MissingEosPenalty), CheckpointSetting.Of("kl_estimator", c.KlEstimator, d.KlEstimator),
            CheckpointSetting.Of("kl_coef", c.KlCoef, d.KlCoef), CheckpointSetting.Of("adaptive_kl", c.AdaptiveKl, d.AdaptiveKl),
            CheckpointSetting.Of("target_kl", c.TargetKl, d.TargetKl), CheckpointSetting.Of("horizon", c.Horizon, d.Horizon),
            CheckpointSetting.Of("gamma", c.Gamma, d.Gamma), CheckpointSetting.Of("lam", c.Lam, d.Lam),
            CheckpointSetting.Of("cliprange", c.ClipRange, d.ClipRange), CheckpointSetting.Of("cliprange_value", c.ClipRangeValue, d.ClipRangeValue),
            CheckpointSetting.Of("vf_coef", c.VfCoef, d.VfCoef), CheckpointSetting.Of("whiten_rewards", c.WhitenRewards, d.WhitenRewards),
            CheckpointSetting.Of("reward_normalization", c.RewardNormalization, d.RewardNormalization),
            CheckpointSetting.Of("reward_normalization_samples", c.RewardNormalizationSamples, d.RewardNormalizationSamples),
            CheckpointSetting.Of("seed", c.Seed, d.Seed), CheckpointSetting.Of("max_prompt_length", c.MaxPromptLength, d.MaxPromptLength),
            .. LoraConfig.SettingsOf(c.Lora),
        ]);
    }

    /// <summary>What checkpoints written before <see cref="SettingsOf"/> stored: SHA-256 of the config's JSON (but SampleEvery and CheckpointEvery).</summary>
    internal static string LegacyConfigHash(PpoConfig config) => CheckpointSettings.LegacyHash(config with { SampleEvery = 1, CheckpointEvery = 1 });

    // NaN (no update yet) is stored as null: JSON has no NaN.
    private static JsonNode? WriteDouble(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double ReadDouble(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
}
