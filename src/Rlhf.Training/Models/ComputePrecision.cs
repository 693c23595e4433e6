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
/// <para>The bf16 copy of each weight is cast once and kept (as autocast's weight cache does within one autocast
/// region) until the float32 master changes: <see cref="WeightVersions"/> tells when the optimizer step (or a LoRA merge)
/// wrote it. Casting 135M weights is a memory-bound pass as long as the matmuls of a ~100-token minibatch, and decoding
/// one token would pay it at every step. A copy cast with gradients on carries the cast's autograd node, so gradients
/// still reach the float32 master (the cast saves no tensors, so its node can be back-propagated through many times);
/// a copy cast under no_grad (generation, a frozen reference) has none and is recast when gradients are wanted.</para>
/// </summary>
public sealed class ComputePrecision : IDisposable
{
    private ScalarType _dtype = ScalarType.Float32;
    private readonly Dictionary<IntPtr, CachedCast> _cache = new();   // by WeightVersions.Key of the master

    private sealed record CachedCast(Tensor Copy, long Version, bool TracksGradient);

    /// <summary>Float32 or BFloat16; anything else is refused. Changing it drops the cached copies.</summary>
    public ScalarType Dtype
    {
        get => _dtype;
        set
        {
            if (value is not (ScalarType.Float32 or ScalarType.BFloat16))
                throw new ArgumentException($"compute dtype {value} is not supported, expected Float32 or BFloat16", nameof(value));
            if (value != _dtype) ClearCache();
            _dtype = value;
        }
    }

    /// <summary>Keep the bf16 copies of the weights between calls (default); false casts on every call (the reference the cache is tested against).</summary>
    public bool CacheWeights { get; set; } = true;

    /// <summary>How many weights have a cached copy now.</summary>
    public int CachedWeightCount => _cache.Count;

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
            Linear linear => nn.functional.linear(x.to_type(_dtype), Weight(linear.weight!), linear.bias is { } bias ? Weight(bias) : null),
            Lora.LoraLinear lora => lora.Forward(x, h => Linear(lora.BaseLayer, h)),   // the frozen base in this dtype (cached), the adapter in float32
            _ => layer.forward(x.to_type(ScalarType.Float32)).to_type(_dtype),
        };
        return scope.MoveToOuter(y);
    }

    /// <summary>
    /// A float32 master weight in the compute dtype: the weight itself in float32, else its cached copy, cast again when
    /// the master was written since (<see cref="WeightVersions"/>) or when gradients are wanted and the copy has none.
    /// The cached copy belongs to this object (no dispose scope frees it); an uncached one to the caller's scope.
    /// </summary>
    public Tensor Weight(Tensor weight)
    {
        if (!IsReduced) return weight;
        if (!CacheWeights) return weight.to_type(_dtype);
        var tracksGradient = is_grad_enabled() && weight.requires_grad;
        var key = WeightVersions.Key(weight);
        var version = WeightVersions.Of(weight);
        if (_cache.TryGetValue(key, out var cached))
        {
            if (cached.Version == version && (cached.TracksGradient || !tracksGradient)) return cached.Copy;
            cached.Copy.Dispose();
        }
        var copy = weight.to_type(_dtype).DetachFromDisposeScope();
        _cache[key] = new CachedCast(copy, version, tracksGradient);
        return copy;
    }

    /// <summary>Frees every cached copy (the next bf16 call casts again).</summary>
    public void ClearCache()
    {
        foreach (var cached in _cache.Values) cached.Copy.Dispose();
        _cache.Clear();
    }

    public void Dispose() => ClearCache();

    /// <summary>x in the compute dtype (for attention's q, k, v). Returns x itself in float32.</summary>
    public Tensor Cast(Tensor x) => x.dtype == _dtype ? x : x.to_type(_dtype);

    /// <summary>A tied LM head, hidden @ embedding^T, in the compute dtype; the logits come back float32 (HF's logits.float()).</summary>
    /// <param name="hidden">[..., C]</param>
    /// <param name="embeddingWeight">[V, C]</param>
    /// <returns>[..., V] float32</returns>
    public Tensor TiedLogits(Tensor hidden, Tensor embeddingWeight)
    {
        if (!IsReduced) return nn.functional.linear(hidden, embeddingWeight);
        using var scope = NewDisposeScope();
        var logits = nn.functional.linear(Cast(hidden), Weight(embeddingWeight));   // [..., V] bf16
        return scope.MoveToOuter(logits.to_type(ScalarType.Float32));
    }

    /// <summary>Whether a run's or job's compute-dtype setting is one it may name: "float32" or "bf16".</summary>
    public static bool IsSetting(string? setting) => setting is "float32" or "bf16";

    /// <summary>A run's compute-dtype setting ("float32" or "bf16"), checked as the configs check theirs: a problem naming --compute-dtype.</summary>
    public static void AddProblem(List<ConfigProblem> problems, string setting)
    {
        if (!IsSetting(setting))
            problems.Add(new("ComputeDtype", "--compute-dtype", $"must be float32 or bf16 (got \"{setting}\")"));
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
