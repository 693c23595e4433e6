using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF LlamaRMSNorm: x / sqrt(mean(x^2) + eps) computed in float32, cast back to the input dtype, times weight.
/// Also Qwen3's q_norm/k_norm over head_dim.
/// </summary>
public sealed class LlamaRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;   // [dim], initialised to 1
    private readonly double _eps;

    public LlamaRmsNorm(long dim, double eps) : base(nameof(LlamaRmsNorm))
    {
        weight = new Parameter(ones(dim));
        _eps = eps;
        RegisterComponents();
    }

    /// <param name="x">[..., dim]</param>
    /// <returns>[..., dim]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.to_type(ScalarType.Float32);                        // [..., dim] float32 whatever x is
        var variance = h.pow(2).mean([-1L], keepdim: true);          // [..., 1]
        h = h * rsqrt(variance + _eps);                               // [..., dim]
        return scope.MoveToOuter(weight * h.to_type(x.dtype));        // [..., dim]
    }
}
