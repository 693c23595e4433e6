using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Loads Llama-family checkpoints (model_type llama, qwen2, qwen3) in the Hugging Face layout: config.json and
/// model.safetensors or a sharded model.safetensors.index.json, weights F32/F16/BF16 converted to float32 while
/// streaming tensor by tensor into the model (memory: the float32 model plus one chunk). The checkpoint keys are
/// the model's state-dict names ("model.layers.0.self_attn.q_proj.weight", "lm_head.weight", "score.weight");
/// keys the model has no parameter for (lm_head.weight of a tied model, rotary inv_freq) are ignored.
/// Every error is a <see cref="CheckpointException"/> with a one-line message naming the file and key.
/// </summary>
public static class LlamaCheckpoint
{
    public const string ConfigFileName = "config.json";

    public static LlamaConfig LoadConfig(string folder) => LlamaConfig.Load(Path.Combine(folder, ConfigFileName));

    /// <summary>Loads a *ForCausalLM (tied or untied lm_head per tie_word_embeddings).</summary>
    public static LlamaForCausalLM LoadLanguageModel(string folder)
    {
        var config = LoadConfig(folder);
        return ModelFilling.Fill(new LlamaForCausalLM(config), model =>
        {
            using var weights = CheckpointWeights.Open(folder);
            LoadParameters(model, weights, allowMissing: _ => false);
        });
    }

    /// <summary>
    /// Loads a *ForSequenceClassification (num_labels 1). Without score.weight (an LM checkpoint) and with
    /// <paramref name="initScoreIfMissing"/>, the head is drawn N(0, 1/sqrt(hidden_size + 1)); otherwise that is an error.
    /// </summary>
    public static LlamaForSequenceClassification LoadRewardModel(string folder, bool initScoreIfMissing = false, Generator? generator = null)
    {
        var config = LoadConfig(folder);
        if (config.NumLabels != 1)
            throw new CheckpointException(Path.Combine(folder, ConfigFileName), $"num_labels is {config.NumLabels}, expected 1 for a reward model");
        return ModelFilling.Fill(new LlamaForSequenceClassification(config), model =>
        {
            using var weights = CheckpointWeights.Open(folder);
            var missing = LoadParameters(model, weights, allowMissing: name => initScoreIfMissing && name == "score.weight");
            if (missing.Contains("score.weight"))
                ModelFilling.InitScoreHead(model.ScoreWeight, config.HiddenSize, generator);
        });
    }

    /// <summary>
    /// Streams every parameter of <paramref name="model"/> from <paramref name="weights"/>, checking each shape.
    /// Returns the names that were missing and allowed to be.
    /// </summary>
    public static HashSet<string> LoadParameters(nn.Module model, CheckpointWeights weights, Func<string, bool> allowMissing)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!weights.Contains(name))
            {
                if (allowMissing(name)) { missing.Add(name); continue; }
                throw new CheckpointException(weights.Source, $"{name} is missing");
            }
            var shape = weights.ShapeOf(name);
            if (!shape.SequenceEqual(parameter.shape))
                throw new CheckpointException(weights.FileOf(name),
                    $"{name} has shape {SafeTensor.FormatShape(shape)}, expected {SafeTensor.FormatShape(parameter.shape)}");
            weights.ReadInto(name, parameter);
        }
        return missing;
    }
}
