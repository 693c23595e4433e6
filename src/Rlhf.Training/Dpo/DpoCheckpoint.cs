using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;

namespace Rlhf.Training.Dpo;

/// <summary>
/// The resumable checkpoint of a DPO run, in the run's checkpoint folder (layout and saving: <see cref="TrainingStateFile"/>):
/// <code>
/// trainer_state.json        the common fields, "data_sha256" and "epoch", "train_pairs", "validation_pairs", "model"
/// step-000050/config.json, model.safetensors, tokenizer files   the policy (HF layout, <see cref="ModelSaver"/>)
/// step-000050/optimizer.safetensors                              AdamW moments and step count (<see cref="FusedAdamW"/>)
/// </code>
/// The reference is not stored: its log-probs are computed again from the reference folder on resume (the same numbers).
/// </summary>
internal sealed record DpoCheckpoint(TrainingCheckpoint Common, string ModelFolder)
{
    public const string Format = "rlhf-dpo-checkpoint/1";
    private const string ContentField = "data_sha256";

    public static DpoCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, Format, "DPO", ContentField, (json, common) =>
            new DpoCheckpoint(common, Path.Combine(folder, json["model"]!.GetValue<string>())));

    public static CheckpointKey KeyOf(DpoConfig config, IReadOnlyList<PreferencePair> pairs, long totalSteps) =>
        new(ContentField, "preference data", RewardCheckpoint.DataHash(pairs), config.Seed, totalSteps, SettingsOf(config),
            () => CheckpointSettings.LegacyHash(config with { EvalEvery = 1, CheckpointEvery = 1 }));

    public static void Save(string folder, CheckpointKey key, TrainedWeights policy, string policySource, FusedAdamW optimizer, long step,
        int stepsPerEpoch, int trainPairs, int validationPairs) =>
        TrainingStateFile.Save(folder, Format, step, key, stepFolder => policy.Save(stepFolder, policySource), optimizer.Save,
            name => new JsonObject
            {
                ["epoch"] = (double)step / stepsPerEpoch,
                ["train_pairs"] = trainPairs,
                ["validation_pairs"] = validationPairs,
                ["model"] = name,
            });

    public const int SettingsVersion = 1;

    /// <summary>The settings that shape the run (all but EvalEvery and CheckpointEvery), TRL's names, each with <see cref="DpoConfig"/>'s default.</summary>
    public static CheckpointSettings SettingsOf(DpoConfig c)
    {
        var d = new DpoConfig();
        return new CheckpointSettings(SettingsVersion,
        [
            CheckpointSetting.Of("beta", c.Beta, d.Beta), CheckpointSetting.Of("loss_type", c.LossType, d.LossType),
            CheckpointSetting.Of("label_smoothing", c.LabelSmoothing, d.LabelSmoothing), CheckpointSetting.Of("num_train_epochs", c.Epochs, d.Epochs),
            CheckpointSetting.Of("learning_rate", c.LearningRate, d.LearningRate),
            CheckpointSetting.Of("per_device_train_batch_size", c.BatchPairs, d.BatchPairs), CheckpointSetting.Of("max_length", c.MaxLength, d.MaxLength),
            CheckpointSetting.Of("max_prompt_length", c.MaxPromptLength, d.MaxPromptLength),
            CheckpointSetting.Of("max_completion_length", c.MaxCompletionLength, d.MaxCompletionLength),
            CheckpointSetting.Of("truncation_mode", c.TruncationMode, d.TruncationMode),
            CheckpointSetting.Of("weight_decay", c.WeightDecay, d.WeightDecay), CheckpointSetting.Of("adam_epsilon", c.AdamEpsilon, d.AdamEpsilon),
            CheckpointSetting.Of("warmup_ratio", c.WarmupRatio, d.WarmupRatio), CheckpointSetting.Of("max_grad_norm", c.MaxGradNorm, d.MaxGradNorm),
            CheckpointSetting.Of("validation_fraction", c.ValidationFraction, d.ValidationFraction), CheckpointSetting.Of("seed", c.Seed, d.Seed),
            .. LoraConfig.SettingsOf(c.Lora),
        ]);
    }
}
