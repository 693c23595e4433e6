using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// Causal multi-head self-attention (HF GPT2Attention). c_attn and c_proj are Linear layers
/// ([out, in]); on disk HF stores them as Conv1D ([in, out]), see Gpt2Checkpoint.
/// </summary>
public sealed class Gpt2Attention : nn.Module
{
    private nn.Module<Tensor, Tensor> c_attn;   // n_embd -> 3 * n_embd (q, k, v) (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> c_proj;   // n_embd -> n_embd (Linear; Lora.Apply may wrap it)
    private readonly int _nHead;
    private readonly int _nEmbd;
    private readonly ComputePrecision _precision;

    public Gpt2Attention(Gpt2Config config, ComputePrecision precision) : base(nameof(Gpt2Attention))
    {
        _precision = precision;
        _nHead = config.NHead;
        _nEmbd = config.NEmbd;
        c_attn = nn.Linear(config.NEmbd, 3 * config.NEmbd);
        c_proj = nn.Linear(config.NEmbd, config.NEmbd);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <param name="allowed">
    /// bool [B or 1, 1, T, S]: true where query t may attend key s (S = past + T). Null = no padding:
    /// causal attention, valid when the queries start at position 0 (T == S) or for a single query (T == 1),
    /// which sees every cached key.
    /// </param>
    /// <param name="cache">Inference-only cache: keys/values are stored detached.</param>
    /// <param name="layer">Index of this layer in the cache.</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor x, Tensor? allowed, KvCache? cache = null, int layer = 0)
    {
        using var scope = NewDisposeScope();
        var (B, T, C) = (x.shape[0], x.shape[1], x.shape[2]);
        var hd = C / _nHead;

        var qkv = _precision.Linear(c_attn, x);                       // [B, T, 3C] (bf16 when asked: so are q, k, v)
        var parts = qkv.split(_nEmbd, 2);                             // 3 x [B, T, C]
        var q = parts[0].view(B, T, _nHead, hd).transpose(1, 2);     // [B, nh, T, hd]
        var k = parts[1].view(B, T, _nHead, hd).transpose(1, 2);     // [B, nh, T, hd]
        var v = parts[2].view(B, T, _nHead, hd).transpose(1, 2);     // [B, nh, T, hd]
        if (cache is not null) (k, v) = cache.Append(layer, k, v);   // [B, nh, S, hd]

        // softmax(q k^T / sqrt(hd), masked) v, dropout 0
        var y = allowed is not null
            ? nn.functional.scaled_dot_product_attention(q, k, v, allowed)               // [B, nh, T, hd]
            : nn.functional.scaled_dot_product_attention(q, k, v, is_casual: T > 1);     // T == S, or one query
        y = y.transpose(1, 2).contiguous().view(B, T, C);                          // [B, T, C]
        return scope.MoveToOuter(_precision.Linear(c_proj, y));                     // [B, T, C]
    }
}
