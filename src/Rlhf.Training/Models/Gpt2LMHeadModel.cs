using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF GPT2LMHeadModel: the backbone under "transformer" and an LM head tied to wte
/// (logits = h @ wte^T, no bias). State-dict names are the HF ones ("transformer.h.0.attn.c_attn.weight").
/// </summary>
public sealed class Gpt2LMHeadModel : nn.Module, ICausalLanguageModel
{
    private readonly Gpt2Model transformer;

    public Gpt2LMHeadModel(Gpt2Config config) : base(nameof(Gpt2LMHeadModel))
    {
        transformer = new Gpt2Model(config);
        RegisterComponents();
    }

    public Gpt2Config Config => transformer.Config;

    public Gpt2Model Transformer => transformer;

    public string ModelType => "gpt2";

    public int VocabSize => Config.VocabSize;

    public int MaxPositions => Config.NPositions;

    public int PadTokenId => Config.EffectivePadTokenId;

    public IReadOnlyList<int> EosTokenIds => [Config.EosTokenId];

    public nn.Module Module => this;

    /// <summary>The dtype of the matmuls (float32 or bfloat16; see <see cref="ComputePrecision"/>). The logits are float32 either way.</summary>
    public ScalarType ComputeDtype
    {
        get => transformer.Precision.Dtype;
        set => transformer.Precision.Dtype = value;
    }

    /// <summary>Next-token logits.</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, past + T] 0/1, or null</param>
    /// <param name="positionIds">int64 [B, T], or null for past .. past+T-1</param>
    /// <param name="cache">inference-only KV cache</param>
    /// <returns>[B, T, vocab]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = transformer.forward(inputIds, attentionMask, positionIds, cache);            // [B, T, C]
        return scope.MoveToOuter(LmHead(hidden));                                                  // [B, T, V]
    }

    /// <summary>Hidden states after ln_f: [B, T, C].</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
        => transformer.forward(inputIds, attentionMask, positionIds, cache);

    /// <summary>The tied LM head: hidden @ wte^T in the compute dtype, returned as float32 logits. [..., C] -> [..., V]</summary>
    public Tensor LmHead(Tensor hidden) => transformer.Precision.TiedLogits(hidden, transformer.TokenEmbeddingWeight);

    /// <summary>A new cache sized for this model.</summary>
    public KvCache NewCache() => new(Config.NLayer);
}
