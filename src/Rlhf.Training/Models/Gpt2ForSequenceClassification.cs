using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// HF GPT2ForSequenceClassification with num_labels 1 (the reward model, and PPO's value model):
/// the backbone under "transformer" and "score" = Linear(n_embd, 1, bias=false).
/// <para>
/// The reward of a sequence is the score at its last real token. With an attention mask that is the
/// last position where the mask is 1 (works for left and right padding). Without a mask it follows
/// HF (transformers >= 4.48): the last token that is not pad_token_id, or position 0 if every token
/// is pad. For right padding this is the token before the first pad, as in older transformers.
/// Since GPT-2's pad is also its EOS, pass a mask when a sequence may end with a real EOS.
/// </para>
/// </summary>
public sealed class Gpt2ForSequenceClassification : nn.Module, IRewardModel
{
    private readonly Gpt2Model transformer;
    private readonly Linear score;   // C -> 1, no bias

    public Gpt2ForSequenceClassification(Gpt2Config config) : base(nameof(Gpt2ForSequenceClassification))
    {
        transformer = new Gpt2Model(config);
        score = nn.Linear(config.NEmbd, 1, hasBias: false);
        RegisterComponents();
    }

    public Gpt2Config Config => transformer.Config;

    public Gpt2Model Transformer => transformer;

    /// <summary>score.weight [1, C].</summary>
    public Tensor ScoreWeight => score.weight!;

    public int PadTokenId => Config.EffectivePadTokenId;

    public string ModelType => "gpt2";

    public int VocabSize => Config.VocabSize;

    public int MaxPositions => Config.NPositions;

    public nn.Module Module => this;

    /// <summary>The dtype of the matmuls (float32 or bfloat16; see <see cref="ComputePrecision"/>). The scores are float32 either way.</summary>
    public ScalarType ComputeDtype
    {
        get => transformer.Precision.Dtype;
        set => transformer.Precision.Dtype = value;
    }

    /// <summary>Per-position scores (values, for PPO's value head).</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, T] 0/1, or null</param>
    /// <param name="positionIds">int64 [B, T], or null for 0..T-1</param>
    /// <returns>[B, T]</returns>
    public Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        var hidden = transformer.forward(inputIds, attentionMask, positionIds);   // [B, T, C]
        return scope.MoveToOuter(ScoreHidden(hidden));                             // [B, T]
    }

    /// <summary>Hidden states after ln_f for every position: [B, T, C].</summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
        => transformer.forward(inputIds, attentionMask, positionIds);

    /// <summary>Applies the score head to hidden states: [B, T, C] -> [B, T].</summary>
    public Tensor ScoreHidden(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(transformer.Precision.Linear(score, hidden).to_type(ScalarType.Float32).squeeze(-1));   // [B, T] float32
    }

    /// <summary>The reward of each sequence: the score at its last real token (see the class remarks).</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, T] 0/1, or null to find the last token that is not pad</param>
    /// <param name="positionIds">int64 [B, T], or null for 0..T-1</param>
    /// <returns>[B]</returns>
    public Tensor Rewards(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        var scores = forward(inputIds, attentionMask, positionIds);                      // [B, T]
        var last = LastTokenIndices(inputIds, attentionMask, PadTokenId);                // [B]
        return scope.MoveToOuter(scores.gather(1, last.unsqueeze(1)).squeeze(1));       // [B]
    }

    /// <summary>
    /// Index of the last real token of each row: the last position with mask 1 when a mask is given,
    /// else the last position whose id is not <paramref name="padTokenId"/> (0 if none).
    /// </summary>
    /// <returns>int64 [B]</returns>
    public static Tensor LastTokenIndices(Tensor inputIds, Tensor? attentionMask, int padTokenId)
        => AttentionMasks.LastTokenIndices(inputIds, attentionMask, padTokenId);
}
