using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// The dtype a model's matmuls run in, shared by all of its layers: float32 (the default, the exact maths) or
/// bfloat16, as torch.autocast does it on CPU (TorchSharp 0.107 has no autocast): the weights stay float32 (the master
/// weights the optimizer updates, gradients float32), each linear layer casts its input and weight to bfloat16 and
/// returns bfloat16; attention runs on bfloat16 q, k, v; the residual stream, RMSNorm, rotary angles, the logits
/// handed to softmax / log-softmax and the losses stay float32. bf16 keeps 8 bits of mantissa (relative error
/// ≤ 2^-9 per rounding), so a log-prob moves by about |logit| x 2^-8.
/// </summary>
public sealed class ComputePrecision
{
    private ScalarType _dtype = ScalarType.Float32;

    /// <summary>Float32 or BFloat16; anything else is refused.</summary>
    public ScalarType Dtype
    {
        get => _dtype;
        set => _dtype = value is ScalarType.Float32 or ScalarType.BFloat16
            ? value
            : throw new ArgumentException($"compute dtype {value} is not supported, expected Float32 or BFloat16", nameof(value));
    }

    public bool IsReduced => _dtype != ScalarType.Float32;

    /// <summary>
    /// layer(x) in the compute dtype: x W^T + b with x, W and b cast to it (a no-op cast in float32). A LoRA layer runs its
    /// frozen base so and its adapter in float32, only the adapter's output cast; any other module runs its own float32
    /// forward and only its output is cast.
    /// </summary>
    /// <param name="x">[..., in]</param>
    /// <returns>[..., out] in the compute dtype</returns>
    public Tensor Linear(nn.Module<Tensor, Tensor> layer, Tensor x)
    {
        if (!IsReduced) return layer.forward(x);
        using var scope = NewDisposeScope();
        var y = layer switch
        {
            Linear linear => nn.functional.linear(x.to_type(_dtype), linear.weight!.to_type(_dtype), linear.bias?.to_type(_dtype)),
            Lora.LoraLinear lora => lora.Forward(x, h => Linear(lora.BaseLayer, h)),   // the frozen base in this dtype, the adapter in float32
            _ => layer.forward(x.to_type(ScalarType.Float32)).to_type(_dtype),
        };
        return scope.MoveToOuter(y);
    }

    /// <summary>x in the compute dtype (for attention's q, k, v). Returns x itself in float32.</summary>
    public Tensor Cast(Tensor x) => x.dtype == _dtype ? x : x.to_type(_dtype);

    /// <summary>For model families that compute in float32 only: refuses any other dtype with one line naming the family.</summary>
    public static void RequireFloat32(string modelType, ScalarType dtype)
    {
        if (dtype != ScalarType.Float32)
            throw new NotSupportedException($"{modelType} models compute in float32 only (bf16 compute is available for llama, qwen2 and qwen3)");
    }

    /// <summary>Parses "float32"/"fp32" or "bf16"/"bfloat16" (what a setting or CLI option says).</summary>
    public static ScalarType Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "fp32" or "f32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"compute dtype \"{name}\" is not supported, expected float32 or bf16", nameof(name)),
    };

    /// <summary>The short name: "float32" or "bf16".</summary>
    public static string Name(ScalarType dtype) => dtype == ScalarType.BFloat16 ? "bf16" : "float32";
}
