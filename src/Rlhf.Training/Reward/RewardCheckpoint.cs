using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;

namespace Rlhf.Training.Reward;

/// <summary>
/// The resumable checkpoint of a reward run, in the run's checkpoint folder:
/// <code>
/// trainer_state.json        {"format", "step", "total_steps", "epoch", "seed", "data_order_seed", "train_pairs",
///                            "validation_pairs", "data_sha256", "settings", "model", "optimizer"}
/// step-000050/config.json, model.safetensors   the weights (HF layout, GPT2ForSequenceClassification)
/// step-000050/optimizer.safetensors             AdamW moments (exp_avg/*, exp_avg_sq/*) and step count
/// </code>
/// The step folder is written first and trainer_state.json last (write to a temporary file, then rename), so a
/// crash while saving leaves the previous checkpoint usable; older step folders are removed afterwards.
/// "settings" (<see cref="CheckpointSettings"/>) are the settings a resume must share; checkpoints written before they
/// existed carry "config_sha256" (a hash of the config's JSON) instead, still honoured.
/// </summary>
internal sealed record RewardCheckpoint(long Step, long TotalSteps, long Seed, int TrainPairs, int ValidationPairs,
    string DataSha256, CheckpointSettings? Settings, string? LegacyConfigSha256, string ModelFolder, string OptimizerPath)
{
    public const string StateFileName = "trainer_state.json";
    public const string Format = "rlhf-reward-checkpoint/1";
    private const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static RewardCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, StateFileName, Format, "reward", (json, optimizer) => new RewardCheckpoint(
            json["step"]!.GetValue<long>(), json["total_steps"]!.GetValue<long>(), json["seed"]!.GetValue<long>(),
            json["train_pairs"]!.GetValue<int>(), json["validation_pairs"]!.GetValue<int>(),
            json["data_sha256"]!.GetValue<string>(), CheckpointSettings.Read(json["settings"]), json["config_sha256"]?.GetValue<string>(),
            Path.Combine(folder, json["model"]!.GetValue<string>()), optimizer));

    /// <summary>Saves the model, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, Gpt2ForSequenceClassification model, RewardOptimizer optimizer, long step, long totalSteps,
        int stepsPerEpoch, long seed, int trainPairs, int validationPairs, string dataSha256, CheckpointSettings settings)
    {
        Directory.CreateDirectory(folder);
        var name = $"step-{step:D6}";
        var stepFolder = Path.Combine(folder, name);
        if (Directory.Exists(stepFolder)) Directory.Delete(stepFolder, recursive: true);
        Gpt2Checkpoint.Save(model, stepFolder);
        optimizer.Save(Path.Combine(stepFolder, OptimizerFileName));

        var state = new JsonObject
        {
            ["format"] = Format,
            ["step"] = step,
            ["total_steps"] = totalSteps,
            ["epoch"] = (double)step / stepsPerEpoch,
            ["seed"] = seed,
            ["data_order_seed"] = seed,
            ["train_pairs"] = trainPairs,
            ["validation_pairs"] = validationPairs,
            ["data_sha256"] = dataSha256,
            ["settings"] = settings.ToJson(),
            ["model"] = name,
            ["optimizer"] = $"{name}/{OptimizerFileName}",
            ["saved_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        TrainingStateFile.Commit(folder, StateFileName, state, name);
    }

    /// <summary>SHA-256 of the pairs (every field, in order).</summary>
    public static string DataHash(IReadOnlyList<PreferencePair> pairs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        foreach (var p in pairs)
        {
            Add(p.Prompt);
            Add(p.Chosen);
            Add(p.Rejected);
            Add(p.Margin.ToString("R", CultureInfo.InvariantCulture));
            Add(p.Group);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Version of <see cref="SettingsOf"/>: raise it when a listed setting changes meaning.</summary>
    public const int SettingsVersion = 1;

    /// <summary>
    /// The settings that shape the run (all but EvalEvery and CheckpointEvery), TRL's names, each with
    /// <see cref="RewardTrainingConfig"/>'s default. A setting added to the config is listed here only when it changes the result.
    /// </summary>
    public static CheckpointSettings SettingsOf(RewardTrainingConfig c)
    {
        var d = new RewardTrainingConfig();
        return new CheckpointSettings(SettingsVersion,
        [
            CheckpointSetting.Of("num_train_epochs", c.Epochs, d.Epochs), CheckpointSetting.Of("learning_rate", c.LearningRate, d.LearningRate),
            CheckpointSetting.Of("per_device_train_batch_size", c.BatchPairs, d.BatchPairs), CheckpointSetting.Of("max_length", c.MaxLength, d.MaxLength),
            CheckpointSetting.Of("weight_decay", c.WeightDecay, d.WeightDecay), CheckpointSetting.Of("adam_epsilon", c.AdamEpsilon, d.AdamEpsilon),
            CheckpointSetting.Of("warmup_ratio", c.WarmupRatio, d.WarmupRatio), CheckpointSetting.Of("max_grad_norm", c.MaxGradNorm, d.MaxGradNorm),
            CheckpointSetting.Of("use_margin", c.UseMargin, d.UseMargin),
            CheckpointSetting.Of("center_rewards_coefficient", c.CenterRewardsCoefficient, d.CenterRewardsCoefficient),
            CheckpointSetting.Of("validation_fraction", c.ValidationFraction, d.ValidationFraction), CheckpointSetting.Of("seed", c.Seed, d.Seed),
        ]);
    }

    /// <summary>Null when this checkpoint can be resumed with <paramref name="config"/>; otherwise what differs.</summary>
    public string? SettingsDifference(RewardTrainingConfig config) =>
        CheckpointSettings.Difference(Settings, LegacyConfigSha256, SettingsOf(config), () => LegacyConfigHash(config));

    /// <summary>What checkpoints written before <see cref="SettingsOf"/> stored: SHA-256 of the config's JSON (but EvalEvery and CheckpointEvery).</summary>
    internal static string LegacyConfigHash(RewardTrainingConfig config) => CheckpointSettings.LegacyHash(config with { EvalEvery = 1, CheckpointEvery = 1 });
}
