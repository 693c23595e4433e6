using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// The GPT-2 backbone (HF GPT2Model): token + position embeddings, n_layer blocks, final LayerNorm.
/// Parameter names are the HF ones (wte, wpe, h.{i}.ln_1, h.{i}.attn.c_attn, ..., ln_f).
/// Dropout is not implemented (HF eval numerics; training runs with dropout 0).
/// </summary>
public sealed class Gpt2Model : nn.Module
{
    private readonly Embedding wte;               // [vocab, C]
    private readonly Embedding wpe;               // [n_positions, C]
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Model(Gpt2Config config) : base(nameof(Gpt2Model))
    {
        config.Validate();
        Config = config;
        Precision = new ComputePrecision();
        wte = nn.Embedding(config.VocabSize, config.NEmbd);
        wpe = nn.Embedding(config.NPositions, config.NEmbd);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new Gpt2Block(config, Precision)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public Gpt2Config Config { get; }

    /// <summary>The dtype every block's matmuls run in (see <see cref="ComputePrecision"/>); float32 unless set.</summary>
    public ComputePrecision Precision { get; }

    /// <summary>wte.weight [vocab, C]; the LM head is tied to it.</summary>
    public Tensor TokenEmbeddingWeight => wte.weight!;

    /// <summary>
    /// Hidden states after ln_f.
    /// </summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">
    /// [B, S] with S = cached length + T, 1 for real tokens and 0 for padding; null = all real.
    /// </param>
    /// <param name="positionIds">
    /// int64 [B, T]; null = past .. past+T-1 (HF default). For left padding pass
    /// <see cref="PositionIdsFromMask"/> of the mask (the last T columns when a cache is used).
    /// </param>
    /// <param name="cache">Inference-only KV cache; it is advanced by T.</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var past = cache?.Length ?? 0;
        var S = past + T;
        if (S > Config.NPositions)
            throw new ArgumentException($"sequence length {S} is longer than n_positions {Config.NPositions}");
        positionIds ??= arange(past, S, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0).expand(B, T);   // [B, T]
        var allowed = AttentionMasks.ForForward(inputIds, attentionMask, past);   // [B or 1, 1, T, S] or null

        var x = wte.forward(inputIds) + wpe.forward(positionIds);   // [B, T, C]
        for (var i = 0; i < h.Count; i++)
            x = h[i].forward(x, allowed, cache, i);                  // [B, T, C]
        x = ln_f.forward(x);                                         // [B, T, C]
        cache?.Advance(T);
        return scope.MoveToOuter(x);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Precision.Dispose();   // the cached bf16 weight copies
        base.Dispose(disposing);
    }

    /// <summary>Position ids for a left-padded batch: cumsum(mask) - 1, clamped at 0 (see <see cref="AttentionMasks"/>).</summary>
    /// <param name="attentionMask">[B, S] of 0/1</param>
    /// <returns>int64 [B, S]</returns>
    public static Tensor PositionIdsFromMask(Tensor attentionMask) => AttentionMasks.PositionIdsFromMask(attentionMask);
}
