using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM: the backbone under "model" and lm_head
/// (Linear(C, vocab, bias=false)); with tie_word_embeddings there is no lm_head parameter and the logits use
/// embed_tokens.weight. State-dict keys are the checkpoint keys ("model.layers.0.self_attn.q_proj.weight", "lm_head.weight").
/// </summary>
public sealed class LlamaForCausalLM : nn.Module, ICausalLanguageModel
{
    private readonly LlamaModel model;
    private readonly Linear? lm_head;   // C -> vocab, untied only

    public LlamaForCausalLM(LlamaConfig config) : base(nameof(LlamaForCausalLM))
    {
        model = new LlamaModel(config);
        if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        EosTokenIds = config.EosTokenIds;
    }

    public LlamaConfig Config => model.Config;

    public LlamaModel Model => model;

    public string ModelType => Config.ModelType;

    public int VocabSize => Config.VocabSize;

    public int MaxPositions => Config.MaxPositionEmbeddings;

    public int PadTokenId => Config.EffectivePadTokenId;

    /// <summary>config.json's eos ids, replaced by generation_config.json's when the checkpoint has one.</summary>
    public IReadOnlyList<int> EosTokenIds { get; set; }

    public nn.Module Module => this;

    /// <summary>The dtype of the matmuls (float32 or bfloat16; see <see cref="ComputePrecision"/>). The logits are float32 either way.</summary>
    public ScalarType ComputeDtype
    {
        get => model.Precision.Dtype;
        set => model.Precision.Dtype = value;
    }

    /// <returns>[B, T, vocab]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = model.forward(inputIds, attentionMask, positionIds, cache);                 // [B, T, C]
        return scope.MoveToOuter(LmHead(hidden));                                                // [B, T, V]
    }

    /// <summary>lm_head (or the tied embedding) in the compute dtype, returned as float32 logits (HF's logits.float()).</summary>
    /// <param name="hidden">[..., C]</param>
    /// <returns>[..., V] float32</returns>
    public Tensor LmHead(Tensor hidden)
    {
        if (lm_head is null) return model.Precision.TiedLogits(hidden, model.TokenEmbeddingWeight);     // [..., V] tied
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(model.Precision.Linear(lm_head, hidden).to_type(ScalarType.Float32));  // [..., V]
    }

    /// <summary>The backbone's hidden states after the final norm. [B, T, C]</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
        => model.forward(inputIds, attentionMask, positionIds, cache);

    public KvCache NewCache() => new(Config.NumHiddenLayers);
}
