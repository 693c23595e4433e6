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
        wte = nn.Embedding(config.VocabSize, config.NEmbd);
        wpe = nn.Embedding(config.NPositions, config.NEmbd);
        h = nn.ModuleList(Enumerable.Range(0, config.NLayer).Select(_ => new Gpt2Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public Gpt2Config Config { get; }

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
        if (attentionMask is not null && (attentionMask.shape.Length != 2 || attentionMask.shape[0] != B || attentionMask.shape[1] != S))
            throw new ArgumentException($"attention mask has shape [{string.Join(", ", attentionMask.shape)}], expected [{B}, {S}]");

        positionIds ??= arange(past, S, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0).expand(B, T);   // [B, T]
        // Without padding no mask tensor is needed: plain causal attention when the queries start at
        // position 0 (SDPA's is_causal), no masking at all for a single new query over the cache.
        var allowed = attentionMask is null && (past == 0 || T == 1)
            ? null
            : AttentionAllowed(attentionMask, T, past, inputIds.device);   // [B or 1, 1, T, S]

        var x = wte.forward(inputIds) + wpe.forward(positionIds);   // [B, T, C]
        for (var i = 0; i < h.Count; i++)
            x = h[i].forward(x, allowed, cache, i);                  // [B, T, C]
        x = ln_f.forward(x);                                         // [B, T, C]
        cache?.Advance(T);
        return scope.MoveToOuter(x);
    }

    /// <summary>
    /// Position ids for a left-padded batch: cumsum(mask) - 1, clamped at 0 (pads get position 0).
    /// </summary>
    /// <param name="attentionMask">[B, S] of 0/1</param>
    /// <returns>int64 [B, S]</returns>
    public static Tensor PositionIdsFromMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var pos = attentionMask.to_type(ScalarType.Int64).cumsum(1) - 1;   // [B, S]
        return scope.MoveToOuter(pos.clamp_min(0));
    }

    /// <summary>
    /// bool [B or 1, 1, T, S]: query t (absolute position past + t) may attend key s when s &lt;= past + t
    /// and key s is not padding. A query that would see no key at all (a left pad) may see itself,
    /// which keeps softmax finite; real tokens are unaffected.
    /// </summary>
    private static Tensor AttentionAllowed(Tensor? attentionMask, long T, long past, Device device)
    {
        using var scope = NewDisposeScope();
        var S = past + T;
        var causal = ones(T, S, dtype: ScalarType.Bool, device: device).tril(past);   // [T, S]
        var allowed = causal.unsqueeze(0).unsqueeze(0);                                 // [1, 1, T, S]
        if (attentionMask is not null)
        {
            var keys = attentionMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1);   // [B, 1, 1, S]
            var self = causal.logical_and(causal.tril(past - 1).logical_not());             // [T, S] s == past + t
            allowed = allowed.logical_and(keys).logical_or(self.unsqueeze(0).unsqueeze(0)); // [B, 1, T, S]
        }
        return scope.MoveToOuter(allowed);
    }
}
