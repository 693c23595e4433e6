using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>HF GPT2Block (pre-LayerNorm): x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Gpt2Block : nn.Module
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config, ComputePrecision precision) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        attn = new Gpt2Attention(config, precision);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        mlp = new Gpt2Mlp(config, precision);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <param name="allowed">bool [B or 1, 1, T, S], or null for plain causal attention (see <see cref="Gpt2Attention.forward"/>)</param>
    /// <returns>[B, T, C]</returns>
    public Tensor forward(Tensor x, Tensor? allowed, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x), allowed, cache, layer);   // [B, T, C] float32 (a bf16 branch is promoted)
        x = x + mlp.forward(ln_2.forward(x));                            // [B, T, C]
        return scope.MoveToOuter(x);
    }
}
