using Rlhf.Training.Models;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The tensors a GPT-2 checkpoint must hold for a config, with their Hugging Face names and on-disk shapes (Conv1D
/// weights [in, out]), in the order of the model's parameters. Checked against a safetensors header before any model
/// is built, so a config.json whose sizes disagree with the weights (n_embd 4096 over a 3 MB checkpoint) is refused
/// without allocating the model it describes.
/// </summary>
public static class Gpt2CheckpointLayout
{
    public const string ScoreWeight = "score.weight";

    /// <summary>Every parameter of GPT2LMHeadModel (the LM head is tied to wte), plus score.weight [1, n_embd] for the reward model.</summary>
    public static IEnumerable<(string Name, long[] Shape)> OnDiskShapes(Gpt2Config config, bool withScore)
    {
        long c = config.NEmbd, inner = config.InnerDim;
        const string t = Gpt2Checkpoint.BackbonePrefix;
        yield return ($"{t}wte.weight", [config.VocabSize, c]);
        yield return ($"{t}wpe.weight", [config.NPositions, c]);
        for (var i = 0; i < config.NLayer; i++)
        {
            var h = $"{t}h.{i}.";
            yield return ($"{h}ln_1.weight", [c]);
            yield return ($"{h}ln_1.bias", [c]);
            yield return ($"{h}attn.c_attn.weight", [c, 3 * c]);      // Conv1D [in, out]
            yield return ($"{h}attn.c_attn.bias", [3 * c]);
            yield return ($"{h}attn.c_proj.weight", [c, c]);
            yield return ($"{h}attn.c_proj.bias", [c]);
            yield return ($"{h}ln_2.weight", [c]);
            yield return ($"{h}ln_2.bias", [c]);
            yield return ($"{h}mlp.c_fc.weight", [c, inner]);
            yield return ($"{h}mlp.c_fc.bias", [inner]);
            yield return ($"{h}mlp.c_proj.weight", [inner, c]);
            yield return ($"{h}mlp.c_proj.bias", [c]);
        }
        yield return ($"{t}ln_f.weight", [c]);
        yield return ($"{t}ln_f.bias", [c]);
        if (withScore) yield return (ScoreWeight, [1, c]);
    }

    /// <summary>
    /// Throws a <see cref="CheckpointException"/> naming the first tensor the header lacks or holds with another shape
    /// than <paramref name="config"/> gives (keys with or without "transformer."; score.weight may be missing when
    /// <paramref name="scoreMayBeMissing"/>).
    /// </summary>
    public static void CheckFits(Gpt2Config config, SafeTensorsHeader header, string path, bool withScore, bool scoreMayBeMissing = false)
    {
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        foreach (var e in header.Entries) entries[e.Name] = e;
        foreach (var (name, shape) in OnDiskShapes(config, withScore))
        {
            var key = Gpt2Checkpoint.FindKey(entries.ContainsKey, name);
            if (key is null)
            {
                if (name == ScoreWeight && scoreMayBeMissing) continue;
                throw new CheckpointException(path, $"{name} is missing");
            }
            var onDisk = entries[key].Shape;
            if (!onDisk.SequenceEqual(shape))
                throw new CheckpointException(path,
                    $"{key} has shape {SafeTensor.FormatShape(onDisk)}, expected {SafeTensor.FormatShape(shape)} (config.json: n_embd {config.NEmbd}, n_layer {config.NLayer}, vocab_size {config.VocabSize}, n_positions {config.NPositions})");
        }
    }
}
