using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF LlamaForSequenceClassification / Qwen2ForSequenceClassification / Qwen3ForSequenceClassification with
/// num_labels 1 (a reward or value model): the backbone under "model" and score = Linear(C, 1, bias=false),
/// read at the last real token (see <see cref="AttentionMasks.LastTokenIndices"/>).
/// </summary>
public sealed class LlamaForSequenceClassification : nn.Module, IRewardModel
{
    private readonly LlamaModel model;
    private readonly Linear score;   // C -> 1, no bias

    public LlamaForSequenceClassification(LlamaConfig config) : base(nameof(LlamaForSequenceClassification))
    {
        model = new LlamaModel(config);
        score = nn.Linear(config.HiddenSize, 1, hasBias: false);
        RegisterComponents();
    }

    public LlamaConfig Config => model.Config;

    public LlamaModel Model => model;

    /// <summary>score.weight [1, C].</summary>
    public Tensor ScoreWeight => score.weight!;

    public string ModelType => Config.ModelType;

    public int VocabSize => Config.VocabSize;

    public int MaxPositions => Config.MaxPositionEmbeddings;

    public int PadTokenId => Config.EffectivePadTokenId;

    public nn.Module Module => this;

    /// <summary>The dtype of the matmuls (float32 or bfloat16; see <see cref="ComputePrecision"/>). The scores are float32 either way.</summary>
    public ScalarType ComputeDtype
    {
        get => model.Precision.Dtype;
        set => model.Precision.Dtype = value;
    }

    /// <returns>[B, T]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        var hidden = model.forward(inputIds, attentionMask, positionIds);    // [B, T, C]
        return scope.MoveToOuter(ScoreHidden(hidden));                      // [B, T]
    }

    /// <summary>The backbone's hidden states after the final norm. [B, T, C]</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
        => model.forward(inputIds, attentionMask, positionIds);

    /// <summary>The score head in the compute dtype, returned as float32: [..., C] -> [...].</summary>
    public Tensor ScoreHidden(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(model.Precision.Linear(score, hidden).to_type(ScalarType.Float32).squeeze(-1));
    }

    /// <returns>[B]</returns>
    public Tensor Rewards(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        var scores = forward(inputIds, attentionMask, positionIds);                          // [B, T]
        var last = AttentionMasks.LastTokenIndices(inputIds, attentionMask, PadTokenId);     // [B]
        return scope.MoveToOuter(scores.gather(1, last.unsqueeze(1)).squeeze(1));           // [B]
    }
}
