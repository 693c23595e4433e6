using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// The policy's (or reference's) logits at the completion positions of prompt+completion rows ([B, P + N], prompts
/// left-padded to P, position ids cumsum(mask) - 1), for a causal LM of any family: completion token t is predicted by
/// the output at column P - 1 + t, i.e. logits[:, P - 1 : -1] (TRL's logits_to_keep).
/// </summary>
public static class GrpoForward
{
    /// <summary>Logits / temperature at every completion position. [B, N, V]</summary>
    /// <param name="inputIds">int64 [B, P + N]</param>
    /// <param name="attentionMask">int64 [B, P + N]</param>
    /// <param name="contextLength">P</param>
    public static Tensor CompletionLogits(ICausalLanguageModel model, Tensor inputIds, Tensor attentionMask, int contextLength, double temperature)
    {
        using var scope = NewDisposeScope();
        var N = inputIds.shape[1] - contextLength;
        var positions = AttentionMasks.PositionIdsFromMask(attentionMask);                // [B, P + N]
        // Only the N completion positions go through the LM head (TRL's logits_to_keep): the vocabulary is the big axis.
        var hidden = model.HiddenStates(inputIds, attentionMask, positions).narrow(1, contextLength - 1, N);   // [B, N, C]
        var logits = model.LmHead(hidden);                                                 // [B, N, V]
        return scope.MoveToOuter(logits / temperature);                                    // [B, N, V]
    }
}
