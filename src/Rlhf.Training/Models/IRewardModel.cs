using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// A reward or value model of any supported family (*ForSequenceClassification with num_labels 1): a score per
/// position, and the reward of a sequence = the score at its last real token.
/// </summary>
public interface IRewardModel : IDecoderModel
{
    /// <summary>Per-position scores (values, for PPO's value head).</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, T] 0/1, or null</param>
    /// <param name="positionIds">int64 [B, T], or null for 0..T-1</param>
    /// <returns>[B, T]</returns>
    Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null);

    /// <summary>The backbone's hidden states after its final norm, before the score head. [B, T, C]</summary>
    Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null);

    /// <summary>The score head on hidden states: [..., C] -> float32 [...].</summary>
    Tensor ScoreHidden(Tensor hidden);

    /// <summary>The score at the last real token: the last mask-1 position, or without a mask the last non-pad id.</summary>
    /// <returns>[B]</returns>
    Tensor Rewards(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null);
}
