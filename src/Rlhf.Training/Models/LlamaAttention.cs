using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF LlamaAttention / Qwen2Attention / Qwen3Attention: grouped-query attention (num_key_value_heads key/value
/// heads, each shared by num_attention_heads / num_key_value_heads query heads), explicit head_dim, rotary
/// embeddings on q and k, Qwen2's q/k/v biases and Qwen3's per-head q_norm/k_norm (before rope).
/// The KV cache holds keys and values before repeat_kv: [B, kv_heads, S, head_dim].
/// </summary>
public sealed class LlamaAttention : nn.Module
{
    private nn.Module<Tensor, Tensor> q_proj;   // C -> heads * hd (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> k_proj;   // C -> kv_heads * hd (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> v_proj;   // C -> kv_heads * hd (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> o_proj;   // heads * hd -> C (Linear; Lora.Apply may wrap it)
    private readonly LlamaRmsNorm? q_norm;   // [hd], Qwen3 only
    private readonly LlamaRmsNorm? k_norm;   // [hd], Qwen3 only
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly ComputePrecision _precision;

    public LlamaAttention(LlamaConfig config, ComputePrecision precision) : base(nameof(LlamaAttention))
    {
        _precision = precision;
        (_heads, _kvHeads, _headDim) = (config.NumAttentionHeads, config.NumKeyValueHeads, config.HeadDim);
        q_proj = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.QkvBias);
        k_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias);
        v_proj = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.QkvBias);
        o_proj = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.OutputBias);
        if (config.QkNorm)
        {
            q_norm = new LlamaRmsNorm(_headDim, config.RmsNormEps);
            k_norm = new LlamaRmsNorm(_headDim, config.RmsNormEps);
        }
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <param name="cos">[B, T, hd]</param>
    /// <param name="sin">[B, T, hd]</param>
    /// <param name="allowed">bool [B or 1, 1, T, S], or null for plain causal attention (see <see cref="AttentionMasks.ForForward"/>)</param>
    /// <param name="cache">inference-only cache</param>
    /// <param name="layer">index of this layer in the cache</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? allowed, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var (B, T) = (x.shape[0], x.shape[1]);

        var q = _precision.Linear(q_proj, x).view(B, T, _heads, _headDim);     // [B, T, nh, hd]
        var k = _precision.Linear(k_proj, x).view(B, T, _kvHeads, _headDim);   // [B, T, nkv, hd]
        var v = _precision.Linear(v_proj, x).view(B, T, _kvHeads, _headDim);   // [B, T, nkv, hd]
        if (q_norm is not null) q = q_norm.forward(q);                  // Qwen3: RMSNorm per head
        if (k_norm is not null) k = k_norm.forward(k);
        q = LlamaRotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);   // [B, nh, T, hd]
        k = LlamaRotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);   // [B, nkv, T, hd]
        v = v.transpose(1, 2);                                          // [B, nkv, T, hd]
        if (cache is not null) (k, v) = cache.Append(layer, k, v);      // [B, nkv, S, hd]
        k = RepeatKv(k, _heads / _kvHeads);                             // [B, nh, S, hd]
        v = RepeatKv(v, _heads / _kvHeads);                             // [B, nh, S, hd]
        (q, k, v) = (_precision.Cast(q), _precision.Cast(k), _precision.Cast(v));   // bf16 attention when asked (rope was float32)

        // softmax(q k^T / sqrt(hd), masked) v
        var y = allowed is not null
            ? nn.functional.scaled_dot_product_attention(q, k, v, allowed)               // [B, nh, T, hd]
            : nn.functional.scaled_dot_product_attention(q, k, v, is_casual: T > 1);     // T == S, or one query
        y = y.transpose(1, 2).contiguous().view(B, T, _heads * _headDim);            // [B, T, nh * hd]
        return scope.MoveToOuter(_precision.Linear(o_proj, y));                       // [B, T, C]
    }

    /// <summary>HF repeat_kv: [B, nkv, S, hd] -> [B, nkv * groups, S, hd], each kv head repeated for its query heads.</summary>
    private static Tensor RepeatKv(Tensor x, int groups)
    {
        if (groups == 1) return x;
        var (B, nkv, S, hd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.unsqueeze(2).expand(B, nkv, groups, S, hd).reshape(B, nkv * groups, S, hd);
    }
}
