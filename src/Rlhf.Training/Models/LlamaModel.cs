using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// The Llama-family backbone (HF LlamaModel / Qwen2Model / Qwen3Model): embed_tokens, num_hidden_layers decoder
/// layers with rotary positions, final RMSNorm. Parameter names are the HF ones (embed_tokens, layers.{i}.self_attn.q_proj, ..., norm).
/// </summary>
public sealed class LlamaModel : nn.Module
{
    private readonly Embedding embed_tokens;   // [vocab, C]
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly LlamaRmsNorm norm;        // [C]
    private readonly LlamaRotaryEmbedding _rotary;

    public LlamaModel(LlamaConfig config) : base(nameof(LlamaModel))
    {
        config.Validate();
        Config = config;
        Precision = new ComputePrecision();
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(config, Precision)).ToArray());
        norm = new LlamaRmsNorm(config.HiddenSize, config.RmsNormEps);
        _rotary = new LlamaRotaryEmbedding(config);
        RegisterComponents();
    }

    public LlamaConfig Config { get; }

    /// <summary>The dtype every layer's matmuls run in (see <see cref="ComputePrecision"/>); float32 unless set.</summary>
    public ComputePrecision Precision { get; }

    /// <summary>embed_tokens.weight [vocab, C]; a tied LM head uses it.</summary>
    public Tensor TokenEmbeddingWeight => embed_tokens.weight!;

    /// <summary>Hidden states after the final norm.</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, past + T] 0/1, or null (all real)</param>
    /// <param name="positionIds">int64 [B, T]; null = past .. past+T-1. For left padding pass <see cref="AttentionMasks.PositionIdsFromMask"/>.</param>
    /// <param name="cache">inference-only KV cache; advanced by T</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var past = cache?.Length ?? 0;
        positionIds ??= arange(past, past + T, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0).expand(B, T);   // [B, T]
        var allowed = AttentionMasks.ForForward(inputIds, attentionMask, past);   // [B or 1, 1, T, S] or null
        var (cos, sin) = _rotary.forward(positionIds);                            // [B, T, hd] each

        var x = embed_tokens.forward(inputIds);                                  // [B, T, C]
        for (var i = 0; i < layers.Count; i++)
            x = layers[i].forward(x, cos, sin, allowed, cache, i);                // [B, T, C]
        x = norm.forward(x);                                                      // [B, T, C]
        cache?.Advance(T);
        return scope.MoveToOuter(x);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Precision.Dispose();   // the cached bf16 weight copies
        base.Dispose(disposing);
    }
}
