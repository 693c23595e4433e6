using Rlhf.Training.Models;
using Rlhf.Training.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// <see cref="IScorer"/> backed by a reward model of any family (<see cref="IRewardModel"/>): the score at the last real
/// token of prompt+completion, a trailing stop token not read (the reward trainer scores texts without it), as
/// <see cref="RewardModelScorer"/> does for GPT-2. The stop token is the completion's last valid token, so leaving it
/// out of the mask changes no earlier position under causal attention. The scorer does not own the model.
/// </summary>
public sealed class RewardModelGrpoScorer(IRewardModel model, int? stopTokenId) : IScorer
{
    public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var T = queryResponseIds.shape[1];
        var positions = AttentionMasks.PositionIdsFromMask(mask);                                      // [B, T]
        var scored = mask.to_type(ScalarType.Int64);                                                    // [B, T]
        if (stopTokenId is int stop)
        {
            var inResponse = arange(T, dtype: ScalarType.Int64, device: mask.device).ge(contextLength).unsqueeze(0);   // [1, T]
            scored = scored.masked_fill(queryResponseIds.eq(stop).logical_and(inResponse), 0);          // [B, T]
        }
        return scope.MoveToOuter(model.Rewards(queryResponseIds, scored, positions).to_type(ScalarType.Float32));   // [B]
    }
}
