using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;

namespace Rlhf.Training.Reward;

/// <summary>
/// The resumable checkpoint of a reward run, in the run's checkpoint folder (layout and saving: <see cref="TrainingStateFile"/>):
/// <code>
/// trainer_state.json        the common fields, "data_sha256" and "epoch", "data_order_seed", "train_pairs", "validation_pairs", "model"
/// step-000050/config.json, model.safetensors   the weights (HF layout, *ForSequenceClassification) and the tokenizer files
/// step-000050/optimizer.safetensors             AdamW moments (exp_avg/*, exp_avg_sq/*) and step count
/// </code>
/// "settings" (<see cref="CheckpointSettings"/>) are the settings a resume must share; checkpoints written before they
/// existed carry "config_sha256" (a hash of the config's JSON) instead, still honoured.
/// </summary>
internal sealed record RewardCheckpoint(TrainingCheckpoint Common, int TrainPairs, int ValidationPairs, string ModelFolder)
{
    public const string Format = "rlhf-reward-checkpoint/1";
    private const string ContentField = "data_sha256";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static RewardCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, Format, "reward", ContentField, (json, common) => new RewardCheckpoint(common,
            json["train_pairs"]!.GetValue<int>(), json["validation_pairs"]!.GetValue<int>(), Path.Combine(folder, json["model"]!.GetValue<string>())));

    /// <summary>What a checkpoint must share with a run of <paramref name="config"/> on <paramref name="pairs"/>.</summary>
    public static CheckpointKey KeyOf(RewardTrainingConfig config, IReadOnlyList<PreferencePair> pairs, long totalSteps) =>
        new(ContentField, "preference data", DataHash(pairs), config.Seed, totalSteps, SettingsOf(config), () => LegacyConfigHash(config));

    /// <summary>Saves the model, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, CheckpointKey key, TrainedWeights model, string sourceFolder, RewardOptimizer optimizer, long step,
        int stepsPerEpoch, int trainPairs, int validationPairs) =>
        TrainingStateFile.Save(folder, Format, step, key, stepFolder => model.Save(stepFolder, sourceFolder), optimizer.Save, name => new JsonObject
        {
            ["epoch"] = (double)step / stepsPerEpoch,
            ["data_order_seed"] = key.Seed,
            ["train_pairs"] = trainPairs,
            ["validation_pairs"] = validationPairs,
            ["model"] = name,
        });

    /// <summary>SHA-256 of the pairs (every field, in order).</summary>
    public static string DataHash(IReadOnlyList<PreferencePair> pairs) => ContentHash.Of(pairs.SelectMany(p => new[]
    {
        p.Prompt, p.Chosen, p.Rejected, p.Margin.ToString("R", CultureInfo.InvariantCulture), p.Group,
    }));

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
            .. LoraConfig.SettingsOf(c.Lora),
        ]);
    }

    /// <summary>What checkpoints written before <see cref="SettingsOf"/> stored: SHA-256 of the config's JSON (but EvalEvery and CheckpointEvery).</summary>
    internal static string LegacyConfigHash(RewardTrainingConfig config) => CheckpointSettings.LegacyHash(config with { EvalEvery = 1, CheckpointEvery = 1 });
}
