using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Sft;

/// <summary>
/// The resumable checkpoint of an SFT run, in the run's checkpoint folder (layout and saving: <see cref="TrainingStateFile"/>):
/// <code>
/// trainer_state.json        the common fields, "data_sha256", "epoch", "num_tokens", "model", "lora"
/// step-000050/...           full fine-tuning: the model (HF layout); LoRA: the adapter (PEFT layout)
/// step-000050/optimizer.safetensors   AdamW moments and step count (of the trained parameters only)
/// </code>
/// </summary>
internal sealed record SftCheckpoint(TrainingCheckpoint Common, long NumTokens, bool Lora, string ModelFolder)
{
    public const string Format = "rlhf-sft-checkpoint/1";
    private const string ContentField = "data_sha256";

    public static SftCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, Format, "SFT", ContentField, (json, common) => new SftCheckpoint(common,
            json["num_tokens"]!.GetValue<long>(), json["lora"]!.GetValue<bool>(), Path.Combine(folder, json["model"]!.GetValue<string>())));

    public static CheckpointKey KeyOf(SftConfig config, IReadOnlyList<SftExample> examples, long totalSteps) =>
        new(ContentField, "SFT data", DataHash(examples), config.Seed, totalSteps, SettingsOf(config), () => CheckpointSettings.LegacyHash(config));

    /// <summary>Saves the model or adapter (<paramref name="saveModel"/>, given the step folder), the optimizer state, then trainer_state.json.</summary>
    public static void Save(string folder, CheckpointKey key, Action<string> saveModel, FusedAdamW optimizer, long step, int stepsPerEpoch,
        long numTokens, bool lora) =>
        TrainingStateFile.Save(folder, Format, step, key, saveModel, optimizer.Save, name => new JsonObject
        {
            ["epoch"] = (double)step / stepsPerEpoch,
            ["num_tokens"] = numTokens,
            ["model"] = name,
            ["lora"] = lora,
        });

    /// <summary>SHA-256 of every example's messages and group, in order.</summary>
    public static string DataHash(IReadOnlyList<SftExample> examples) =>
        ContentHash.Of(examples.SelectMany(e => e.Messages.SelectMany(m => new[] { m.Role, m.Content }).Append(e.Group).Append("\u0000")));

    /// <summary>Version of <see cref="SettingsOf"/>: raise it when a listed setting changes meaning.</summary>
    public const int SettingsVersion = 1;

    /// <summary>The settings that shape the run (not how often to evaluate, sample or checkpoint), TRL's and PEFT's names.</summary>
    public static CheckpointSettings SettingsOf(SftConfig c)
    {
        var d = new SftConfig();
        return new CheckpointSettings(SettingsVersion,
        [
            CheckpointSetting.Of("num_train_epochs", c.Epochs, d.Epochs), CheckpointSetting.Of("learning_rate", c.LearningRate, d.LearningRate),
            CheckpointSetting.Of("per_device_train_batch_size", c.BatchSize, d.BatchSize), CheckpointSetting.Of("max_length", c.MaxLength, d.MaxLength),
            CheckpointSetting.Of("packing", c.Packing, d.Packing), CheckpointSetting.Of("weight_decay", c.WeightDecay, d.WeightDecay),
            CheckpointSetting.Of("adam_epsilon", c.AdamEpsilon, d.AdamEpsilon), CheckpointSetting.Of("warmup_ratio", c.WarmupRatio, d.WarmupRatio),
            CheckpointSetting.Of("max_grad_norm", c.MaxGradNorm, d.MaxGradNorm),
            CheckpointSetting.Of("validation_fraction", c.ValidationFraction, d.ValidationFraction), CheckpointSetting.Of("seed", c.Seed, d.Seed),
            .. LoraConfig.SettingsOf(c.Lora),
        ]);
    }
}
