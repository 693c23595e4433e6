using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// The randomly initialised Llama-family models the `--arch llama` benchmarks run: a preset's shapes (optionally
/// fewer layers or a smaller vocabulary, for tests), HF's init (every linear and embedding weight N(0, 0.02), RMSNorm
/// weights 1) from a seeded generator, and the model FLOPs per token the MFU divides by.
/// </summary>
public static class LlamaBenchmarkModel
{
    /// <summary>Presets by name: SmolLM2-135M's config.json (Llama architecture, tied embeddings).</summary>
    public static readonly IReadOnlyDictionary<string, LlamaConfig> Presets = new Dictionary<string, LlamaConfig>
    {
        ["smollm2-135m"] = new()
        {
            ModelType = "llama", VocabSize = 49152, HiddenSize = 576, IntermediateSize = 1536, NumHiddenLayers = 30,
            NumAttentionHeads = 9, NumKeyValueHeads = 3, HeadDim = 64, MaxPositionEmbeddings = 8192, RmsNormEps = 1e-5,
            RopeTheta = 100000, TieWordEmbeddings = true, BosTokenId = 0, EosTokenIds = [0], PadTokenId = null,
        },
    };

    /// <summary>The preset's config with optional overrides; a one-line error names an unknown preset or a bad value.</summary>
    public static LlamaConfig Config(string preset, int? layers = null, int? vocabSize = null)
    {
        if (!Presets.TryGetValue(preset, out var config))
            throw new ArgumentException($"preset \"{preset}\" is unknown, expected one of: {string.Join(", ", Presets.Keys)}", nameof(preset));
        if (layers is < 1) throw new ArgumentException($"layers must be at least 1 (got {layers})", nameof(layers));
        if (vocabSize is < 2) throw new ArgumentException($"vocab-size must be at least 2 (got {vocabSize})", nameof(vocabSize));
        return config with { NumHiddenLayers = layers ?? config.NumHiddenLayers, VocabSize = vocabSize ?? config.VocabSize };
    }

    public static LlamaForCausalLM CreateCausalLM(LlamaConfig config, int seed)
    {
        var model = new LlamaForCausalLM(config);
        Init(model, seed);
        model.eval();
        return model;
    }

    /// <summary>A reward / value model (score head N(0, 0.02) as well), in train mode.</summary>
    public static LlamaForSequenceClassification CreateRewardModel(LlamaConfig config, int seed)
    {
        var model = new LlamaForSequenceClassification(config with { PadTokenId = config.EffectivePadTokenId });
        Init(model, seed);
        model.train();
        return model;
    }

    /// <summary>HF LlamaPreTrainedModel._init_weights with initializer_range 0.02: matrices N(0, 0.02), norms stay 1, no biases here.</summary>
    private static void Init(nn.Module model, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (_, p) in model.named_parameters())
            if (p.dim() == 2) p.normal_(0, 0.02, generator);
    }

    /// <summary>
    /// Parameters that go through a matmul per token in the decoder layers: q, k, v, o and the three SwiGLU projections
    /// (norm weights are elementwise; the embedding is a lookup).
    /// </summary>
    public static long LayerMatmulParameters(LlamaConfig c)
    {
        long C = c.HiddenSize, q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        var perLayer = C * q + 2 * C * kv + q * C + 3 * C * c.IntermediateSize;
        return c.NumHiddenLayers * perLayer;
    }

    /// <summary>The LM head's matmul parameters (tied or not): hidden x vocab.</summary>
    public static long LmHeadParameters(LlamaConfig c) => (long)c.HiddenSize * c.VocabSize;

    /// <summary>
    /// nanoGPT's attention term per token for the forward: 4 x layers x (heads x head_dim) x T (q k^T and the weighted sum
    /// of values over a full T x T, causal half not subtracted).
    /// </summary>
    public static double AttentionFlopsPerToken(LlamaConfig c, double seqLen) => 4.0 * c.NumHiddenLayers * c.NumAttentionHeads * c.HeadDim * seqLen;

    /// <summary>Forward FLOPs per token with the LM head on every position: 2 (layers + head) + attention.</summary>
    public static double ForwardFlopsPerToken(LlamaConfig c, int seqLen)
        => 2.0 * (LayerMatmulParameters(c) + LmHeadParameters(c)) + AttentionFlopsPerToken(c, seqLen);

    /// <summary>Reward-model training FLOPs per token (forward + backward, score head on every position as HF): 6 (layers + score) + 3 x attention.</summary>
    public static double RewardTrainingFlopsPerToken(LlamaConfig c, int seqLen)
        => 6.0 * (LayerMatmulParameters(c) + c.HiddenSize) + 3 * AttentionFlopsPerToken(c, seqLen);
}
