using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>HF GPT2MLP: c_fc, gelu_new (tanh approximation), c_proj.</summary>
public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> c_fc;   // n_embd -> n_inner (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> c_proj;   // n_inner -> n_embd (Linear; Lora.Apply may wrap it)

    private readonly ComputePrecision _precision;

    public Gpt2Mlp(Gpt2Config config, ComputePrecision precision) : base(nameof(Gpt2Mlp))
    {
        _precision = precision;
        c_fc = nn.Linear(config.NEmbd, config.InnerDim);
        c_proj = nn.Linear(config.InnerDim, config.NEmbd);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <returns>[B, T, C]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _precision.Linear(c_fc, x);                                          // [B, T, 4C]
        h = nn.functional.gelu(h, GELU.Approximate.tanh);                           // gelu_new
        return scope.MoveToOuter(_precision.Linear(c_proj, h));                      // [B, T, C]
    }
}
