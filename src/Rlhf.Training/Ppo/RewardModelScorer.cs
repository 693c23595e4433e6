using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// <see cref="IScorer"/> backed by a reward model of any family (HF *ForSequenceClassification, num_labels 1): the score head at
/// the last real token of query+response, left padding handled with the mask and position ids cumsum(mask) - 1.
/// <para>The reward trainer scores "User: {prompt}\nAssistant: {response}" with no EOS appended, so a trailing stop
/// token of the response is not read: the score is taken at the last real token before it (for GPT-2, whose pad is its
/// EOS, this is also where TRL's get_reward reads it). A response that is only the stop token is scored at the last
/// query token.</para>
/// The scorer does not own the model.
/// </summary>
public sealed class RewardModelScorer : IScorer
{
    private readonly IRewardModel _model;
    private readonly int? _stopTokenId;

    /// <param name="model">the reward model (used without grad)</param>
    /// <param name="stopTokenId">the response stop token not to score at; null = score at the last real token whatever it is</param>
    public RewardModelScorer(IRewardModel model, int? stopTokenId = Gpt2Config.EndOfTextTokenId)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _stopTokenId = stopTokenId;
    }

    public IRewardModel Model => _model;

    public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var T = queryResponseIds.shape[1];
        var positions = Gpt2Model.PositionIdsFromMask(mask);                                            // [B, T]
        var scored = mask.to_type(ScalarType.Int64);                                                     // [B, T]
        if (_stopTokenId is int stop)
        {
            var inResponse = arange(T, dtype: ScalarType.Int64, device: mask.device).ge(contextLength).unsqueeze(0);   // [1, T]
            var stopInResponse = queryResponseIds.eq(stop).logical_and(inResponse);                      // [B, T]
            scored = scored.masked_fill(stopInResponse, 0);                                              // [B, T]
        }
        var last = Gpt2ForSequenceClassification.LastTokenIndices(queryResponseIds, scored, _model.PadTokenId);   // [B]
        if (_model is not Gpt2ForSequenceClassification gpt2)
        {
            var scores = _model.forward(queryResponseIds, mask, positions);                              // [B, T]
            return scope.MoveToOuter(scores.gather(1, last.unsqueeze(1)).squeeze(1).to_type(ScalarType.Float32));   // [B]
        }
        var hidden = gpt2.HiddenStates(queryResponseIds, mask, positions);                              // [B, T, C]
        var atLast = hidden.gather(1, last.view(-1, 1, 1).expand(-1, 1, hidden.shape[2])).squeeze(1);  // [B, C]
        return scope.MoveToOuter(gpt2.ScoreHidden(atLast).to_type(ScalarType.Float32));                // [B]
    }
}
