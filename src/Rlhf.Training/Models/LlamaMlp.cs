using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>HF LlamaMLP (SwiGLU): down_proj(silu(gate_proj(x)) * up_proj(x)).</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private nn.Module<Tensor, Tensor> gate_proj;   // hidden -> intermediate (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> up_proj;   // hidden -> intermediate (Linear; Lora.Apply may wrap it)
    private nn.Module<Tensor, Tensor> down_proj;   // intermediate -> hidden (Linear; Lora.Apply may wrap it)
    private readonly ComputePrecision _precision;

    public LlamaMlp(LlamaConfig config, ComputePrecision precision) : base(nameof(LlamaMlp))
    {
        _precision = precision;
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias);
        RegisterComponents();
    }

    /// <param name="x">[B, T, C]</param>
    /// <returns>[B, T, C]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.silu(_precision.Linear(gate_proj, x)) * _precision.Linear(up_proj, x);   // [B, T, I]
        return scope.MoveToOuter(_precision.Linear(down_proj, h));                                     // [B, T, C]
    }
}
