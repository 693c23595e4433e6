using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF LlamaRotaryEmbedding (rotate-half convention): inv_freq[i] = 1 / rope_theta^(2i / head_dim), optionally
/// rescaled by rope_scaling "llama3"; for position p the angles are p * inv_freq, repeated twice to head_dim.
/// inv_freq is not a parameter (HF registers it as a non-persistent buffer), so it is not in the state dict.
/// </summary>
public sealed class LlamaRotaryEmbedding
{
    private readonly float[] _invFreq;   // [head_dim / 2]

    public LlamaRotaryEmbedding(LlamaConfig config)
    {
        var dim = config.HeadDim;
        // As HF: arange(0, dim, 2).float() / dim in float32, then base ** that.
        var invFreq = Enumerable.Range(0, dim / 2)
            .Select(i => 1.0 / Math.Pow(config.RopeTheta, (float)(2 * i) / dim))
            .Select(f => (double)(float)f)
            .ToArray();
        if (config.RopeScaling is { } scaling) invFreq = scaling.Apply(invFreq);
        _invFreq = invFreq.Select(f => (float)f).ToArray();
    }

    public IReadOnlyList<float> InvFreq => _invFreq;

    /// <summary>cos and sin of the angles at each position (float32, computed as HF does without autocast).</summary>
    /// <param name="positionIds">int64 [B, T]</param>
    /// <returns>cos, sin: [B, T, head_dim]</returns>
    public (Tensor Cos, Tensor Sin) forward(Tensor positionIds)
    {
        using var scope = NewDisposeScope();
        var invFreq = tensor(_invFreq, device: positionIds.device);                            // [hd/2]
        var freqs = positionIds.to_type(ScalarType.Float32).unsqueeze(-1) * invFreq;           // [B, T, hd/2]
        var emb = cat([freqs, freqs], -1);                                                     // [B, T, hd]
        return (scope.MoveToOuter(emb.cos()), scope.MoveToOuter(emb.sin()));
    }

    /// <summary>q * cos + rotate_half(q) * sin, rotate_half(x) = cat(-x2, x1) of the two halves of the last dim.</summary>
    /// <param name="x">[B, heads, T, hd]</param>
    /// <param name="cos">[B, T, hd]</param>
    /// <param name="sin">[B, T, hd]</param>
    /// <returns>[B, heads, T, hd]</returns>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);                                   // [B, h, T, hd/2]
        var x2 = x.narrow(-1, half, half);                                // [B, h, T, hd/2]
        var rotated = cat([-x2, x1], -1);                                 // [B, h, T, hd]
        return scope.MoveToOuter(x * cos.unsqueeze(1) + rotated * sin.unsqueeze(1));
    }
}
