using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Ppo;

/// <summary>
/// The resumable checkpoint of a PPO run, in the run's checkpoint folder:
/// <code>
/// trainer_state.json          {"format", "step", "total_steps", "episode", "seed", "kl_coef", "first_mean_score",
///                              "last_mean_score", "last_kl", "prompts_sha256", "settings", "policy", "value", "optimizer"}
/// step-000050/policy/         config.json, model.safetensors (HF layout, GPT2LMHeadModel)
/// step-000050/value/          config.json, model.safetensors (HF layout, GPT2ForSequenceClassification)
/// step-000050/optimizer.bin   AdamW moments and step counts of policy + value (TorchSharp's format)
/// </code>
/// kl_coef is the current (adaptive) beta. The step folder is written first and trainer_state.json last (temporary
/// file, then rename), so a crash while saving leaves the previous checkpoint usable; older step folders are removed
/// afterwards. The data order and the random streams are not stored: they are recomputed from the seed and the step.
/// "settings" (<see cref="CheckpointSettings"/>) are the settings a resume must share; checkpoints written before they
/// existed carry "config_sha256" (a hash of the config's JSON) instead, still honoured.
/// </summary>
internal sealed record PpoCheckpoint(long Step, long TotalSteps, long Seed, double KlCoef, double FirstMeanScore, double LastMeanScore,
    double LastKl, string PromptsSha256, CheckpointSettings? Settings, string? LegacyConfigSha256, string PolicyFolder, string ValueFolder,
    string OptimizerPath)
{
    public const string StateFileName = "trainer_state.json";
    public const string Format = "rlhf-ppo-checkpoint/1";
    private const string OptimizerFileName = "optimizer.bin";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static PpoCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, StateFileName, Format, "PPO", (json, optimizer) => new PpoCheckpoint(
            json["step"]!.GetValue<long>(), json["total_steps"]!.GetValue<long>(), json["seed"]!.GetValue<long>(),
            json["kl_coef"]!.GetValue<double>(), ReadDouble(json["first_mean_score"]), ReadDouble(json["last_mean_score"]),
            ReadDouble(json["last_kl"]), json["prompts_sha256"]!.GetValue<string>(), CheckpointSettings.Read(json["settings"]),
            json["config_sha256"]?.GetValue<string>(),
            Path.Combine(folder, json["policy"]!.GetValue<string>()), Path.Combine(folder, json["value"]!.GetValue<string>()), optimizer));

    /// <summary>Saves both models, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, Gpt2LMHeadModel policy, Gpt2ForSequenceClassification valueModel, PpoOptimizer optimizer,
        long step, long totalSteps, long episode, long seed, double klCoef, double firstMeanScore, double lastMeanScore, double lastKl,
        string promptsSha256, CheckpointSettings settings)
    {
        Directory.CreateDirectory(folder);
        var name = $"step-{step:D6}";
        var stepFolder = Path.Combine(folder, name);
        if (Directory.Exists(stepFolder)) Directory.Delete(stepFolder, recursive: true);
        Gpt2Checkpoint.Save(policy, Path.Combine(stepFolder, "policy"));
        Gpt2Checkpoint.Save(valueModel, Path.Combine(stepFolder, "value"));
        optimizer.Save(Path.Combine(stepFolder, OptimizerFileName));

        var state = new JsonObject
        {
            ["format"] = Format,
            ["step"] = step,
            ["total_steps"] = totalSteps,
            ["episode"] = episode,
            ["seed"] = seed,
            ["kl_coef"] = klCoef,
            ["first_mean_score"] = WriteDouble(firstMeanScore),
            ["last_mean_score"] = WriteDouble(lastMeanScore),
            ["last_kl"] = WriteDouble(lastKl),
            ["prompts_sha256"] = promptsSha256,
            ["settings"] = settings.ToJson(),
            ["policy"] = $"{name}/policy",
            ["value"] = $"{name}/value",
            ["optimizer"] = $"{name}/{OptimizerFileName}",
            ["optimizer_state_kept"] = true,
            ["saved_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        TrainingStateFile.Commit(folder, StateFileName, state, name);
    }

    /// <summary>SHA-256 of the prompts, in order.</summary>
    public static string PromptsHash(IReadOnlyList<string> prompts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in prompts)
        {
            var bytes = Encoding.UTF8.GetBytes(p);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

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
        ]);
    }

    /// <summary>Null when this checkpoint can be resumed with <paramref name="config"/>; otherwise what differs.</summary>
    public string? SettingsDifference(PpoConfig config) =>
        CheckpointSettings.Difference(Settings, LegacyConfigSha256, SettingsOf(config), () => LegacyConfigHash(config));

    /// <summary>What checkpoints written before <see cref="SettingsOf"/> stored: SHA-256 of the config's JSON (but SampleEvery and CheckpointEvery).</summary>
    internal static string LegacyConfigHash(PpoConfig config) => CheckpointSettings.LegacyHash(config with { SampleEvery = 1, CheckpointEvery = 1 });

    // NaN (no update yet) is stored as null: JSON has no NaN.
    private static JsonNode? WriteDouble(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double ReadDouble(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
}
