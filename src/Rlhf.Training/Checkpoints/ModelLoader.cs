using Rlhf.Training.Models;
using static Rlhf.Training.Models.ConfigJson;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The one entry point for loading a checkpoint folder: config.json's model_type picks the family (gpt2 →
/// <see cref="Gpt2Checkpoint"/>; llama, qwen2, qwen3 → <see cref="LlamaCheckpoint"/>), and the folder's
/// generation_config.json, when there is one, gives the causal LM's eos ids (an int or a list).
/// </summary>
public static class ModelLoader
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>config.json's model_type, checked to be one this platform loads.</summary>
    public static string ReadModelType(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new CheckpointException("(no folder)", "no model folder given");
        if (!Directory.Exists(folder)) throw new CheckpointException(folder, "model folder not found");
        var path = Path.Combine(folder, ConfigFileName);
        var modelType = GetString(ParseObject(ReadFile(path), path), "model_type", path)
            ?? throw new CheckpointException(path, "model_type is missing, expected gpt2, llama, qwen2 or qwen3");
        if (modelType != "gpt2" && !LlamaConfig.ModelTypes.Contains(modelType))
            throw new CheckpointException(path, $"model_type is \"{modelType}\", expected gpt2, llama, qwen2 or qwen3");
        return modelType;
    }

    /// <summary>The causal LM of any supported family, in eval mode.</summary>
    public static ICausalLanguageModel LoadLanguageModel(string folder)
    {
        if (ReadModelType(folder) == "gpt2") return Gpt2Checkpoint.LoadLanguageModel(folder);
        var model = LlamaCheckpoint.LoadLanguageModel(folder);
        try
        {
            if (ReadGenerationEosTokenIds(folder) is { Count: > 0 } eos) model.EosTokenIds = eos;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// The reward (or value) model of any supported family, in eval mode. An LM checkpoint without a score head
    /// gets a fresh one when <paramref name="initScoreIfMissing"/> is true.
    /// </summary>
    public static IRewardModel LoadRewardModel(string folder, bool initScoreIfMissing = false, Generator? generator = null)
        => ReadModelType(folder) == "gpt2"
            ? Gpt2Checkpoint.LoadRewardModel(folder, initScoreIfMissing, generator)
            : LlamaCheckpoint.LoadRewardModel(folder, initScoreIfMissing, generator);

    /// <summary>generation_config.json's eos_token_id (an int or a list), or null when the file or key is absent.</summary>
    public static IReadOnlyList<int>? ReadGenerationEosTokenIds(string folder)
    {
        var path = Path.Combine(folder, GenerationConfigFileName);
        if (!File.Exists(path)) return null;
        return GetIntOrInts(ParseObject(ReadFile(path), path), "eos_token_id", path);
    }
}
