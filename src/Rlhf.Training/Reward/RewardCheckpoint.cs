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
///                            "validation_pairs", "data_sha256", "config_sha256", "model", "optimizer"}
/// step-000050/config.json, model.safetensors   the weights (HF layout, GPT2ForSequenceClassification)
/// step-000050/optimizer.safetensors             AdamW moments (exp_avg/*, exp_avg_sq/*) and step count
/// </code>
/// The step folder is written first and trainer_state.json last (write to a temporary file, then rename), so a
/// crash while saving leaves the previous checkpoint usable; older step folders are removed afterwards.
/// </summary>
internal sealed record RewardCheckpoint(long Step, long TotalSteps, long Seed, int TrainPairs, int ValidationPairs,
    string DataSha256, string ConfigSha256, string ModelFolder, string OptimizerPath)
{
    public const string StateFileName = "trainer_state.json";
    public const string Format = "rlhf-reward-checkpoint/1";
    private const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>The checkpoint in <paramref name="folder"/>, or null when it holds none.</summary>
    public static RewardCheckpoint? TryLoad(string folder) =>
        TrainingStateFile.TryRead(folder, StateFileName, Format, "reward", (json, optimizer) => new RewardCheckpoint(
            json["step"]!.GetValue<long>(), json["total_steps"]!.GetValue<long>(), json["seed"]!.GetValue<long>(),
            json["train_pairs"]!.GetValue<int>(), json["validation_pairs"]!.GetValue<int>(),
            json["data_sha256"]!.GetValue<string>(), json["config_sha256"]!.GetValue<string>(),
            Path.Combine(folder, json["model"]!.GetValue<string>()), optimizer));

    /// <summary>Saves the model, the optimizer state and then trainer_state.json; removes older step folders.</summary>
    public static void Save(string folder, Gpt2ForSequenceClassification model, RewardOptimizer optimizer, long step, long totalSteps,
        int stepsPerEpoch, long seed, int trainPairs, int validationPairs, string dataSha256, string configSha256)
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
            ["config_sha256"] = configSha256,
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

    /// <summary>SHA-256 of the settings that shape the run (all but EvalEvery and CheckpointEvery).</summary>
    public static string ConfigHash(RewardTrainingConfig config)
    {
        var json = JsonSerializer.Serialize(config with { EvalEvery = 1, CheckpointEvery = 1 });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }
}
