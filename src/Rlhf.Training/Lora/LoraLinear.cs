using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Lora;

/// <summary>
/// PEFT's lora.Linear: a frozen Linear plus a low-rank update,
/// <code>
/// y = base(x) + lora_B(lora_A(dropout(x))) * scaling        lora_A: in -> r, lora_B: r -> out, both without bias
/// </code>
/// lora_A starts as nn.Linear does (kaiming-uniform, U(-1/sqrt(in), 1/sqrt(in))) and lora_B at zero, so a fresh adapter
/// changes nothing. <see cref="Enabled"/> false gives the base layer alone (a reference model sharing the base weights).
/// The adapter's tensors belong to this module (not to the model: the model's state dict keeps its HF names);
/// <see cref="LoraAdapter"/> names and owns them.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly double _dropout;

    public LoraLinear(Linear baseLayer, int rank, double scaling, double dropout, Generator? generator) : base(nameof(LoraLinear))
    {
        BaseLayer = baseLayer;
        var (outFeatures, inFeatures) = (baseLayer.weight!.shape[0], baseLayer.weight.shape[1]);
        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(inFeatures);
            LoraA = nn.Parameter(empty(rank, inFeatures, dtype: baseLayer.weight.dtype).uniform_(-bound, bound, generator));   // [r, in]
            LoraB = nn.Parameter(zeros(outFeatures, rank, dtype: baseLayer.weight.dtype));                                      // [out, r]
        }
        Scaling = scaling;
        _dropout = dropout;
    }

    /// <summary>The adapted layer, frozen; its weight is [out, in] (GPT-2's Conv1D layers are held as Linear too).</summary>
    public Linear BaseLayer { get; }

    /// <summary>lora_A.weight [r, in].</summary>
    public Parameter LoraA { get; }

    /// <summary>lora_B.weight [out, r].</summary>
    public Parameter LoraB { get; }

    public double Scaling { get; }

    /// <summary>False: the base layer alone.</summary>
    public bool Enabled { get; set; } = true;

    /// <param name="x">[..., in]</param>
    /// <returns>[..., out]</returns>
    public override Tensor forward(Tensor x) => Forward(x, BaseLayer.forward);

    /// <summary>
    /// The base layer through <paramref name="baseForward"/> (a model computing in bf16 runs it in bf16, see
    /// <see cref="Models.ComputePrecision.Linear"/>) plus the adapter's update, always in float32 (the adapter's own
    /// dtype); only the update's output is cast to the base output's dtype.
    /// </summary>
    /// <param name="x">[..., in]</param>
    /// <returns>[..., out]</returns>
    public Tensor Forward(Tensor x, Func<Tensor, Tensor> baseForward)
    {
        var result = baseForward(x);                                                     // [..., out]
        if (!Enabled) return result;
        using var scope = NewDisposeScope();
        var h = x.dtype == LoraA.dtype ? x : x.to_type(LoraA.dtype);
        if (_dropout > 0) h = nn.functional.dropout(h, _dropout, BaseLayer.training);
        var update = nn.functional.linear(nn.functional.linear(h, LoraA), LoraB) * Scaling;   // [..., r] -> [..., out]
        return scope.MoveToOuter(result + (update.dtype == result.dtype ? update : update.to_type(result.dtype)));   // [..., out]
    }

    /// <summary>scaling * B A, [out, in]: what merging adds to the base weight.</summary>
    public Tensor DeltaWeight() => LoraB.matmul(LoraA).mul_(Scaling);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            LoraA.Dispose();
            LoraB.Dispose();
        }
        base.Dispose(disposing);
    }
}
