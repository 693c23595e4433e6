using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// Forward passes over query+response ([B, P + N], queries left-padded to P, attention mask and position ids
/// cumsum(mask) - 1) read at the response positions, as TRL slices them: position t of the response is predicted by
/// (and valued from) the hidden state at column P - 1 + t, i.e. logits[:, P - 1 : -1] and values[:, P - 1 : -1].
/// Only those N hidden states go through the LM / score head, and the temperature divides those [B, N, C] hidden
/// states rather than the [B, N, V] logits ((h / T) W^T = (h W^T) / T; the head has no bias): one pass over the
/// vocabulary-sized tensor less forward and backward.
/// </summary>
public static class PpoForward
{
    /// <summary>Logits / temperature for every response position. [B, N, V]</summary>
    /// <param name="queryResponses">int64 [B, P + N]</param>
    /// <param name="attentionMask">int64 [B, P + N]</param>
    /// <param name="contextLength">P</param>
    public static Tensor ResponseLogits(ICausalLanguageModel model, Tensor queryResponses, Tensor attentionMask, int contextLength, double temperature)
    {
        using var scope = NewDisposeScope();
        var N = queryResponses.shape[1] - contextLength;
        var positions = AttentionMasks.PositionIdsFromMask(attentionMask);                        // [B, P + N]
        var hidden = model.HiddenStates(queryResponses, attentionMask, positions);                // [B, P + N, C]
        var h = hidden.narrow(1, contextLength - 1, N);                                           // [B, N, C]
        return scope.MoveToOuter(model.LmHead(temperature == 1.0 ? h : h / temperature));       // [B, N, V]
    }

    /// <summary>log_softmax(logits / temperature) at each response token (TRL selective_log_softmax). [B, N]</summary>
    /// <param name="logits">[B, N, V], already divided by the temperature</param>
    /// <param name="responses">int64 [B, N]</param>
    public static Tensor LogProbs(Tensor logits, Tensor responses)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(logits.log_softmax(-1).gather(-1, responses.unsqueeze(-1)).squeeze(-1));   // [B, N]
    }

    /// <summary>
    /// The log-probs of the response tokens (with grad) and the entropy of each position's distribution (no grad), both
    /// from one log_softmax over the vocabulary: entropy = -sum(p log p) = logsumexp(l) - sum(softmax(l) l), TRL's formula.
    /// </summary>
    /// <param name="logits">[B, N, V], already divided by the temperature</param>
    /// <param name="responses">int64 [B, N]</param>
    /// <returns>log-probs [B, N], entropy [B, N]</returns>
    public static (Tensor LogProbs, Tensor Entropy) LogProbsAndEntropy(Tensor logits, Tensor responses)
    {
        using var scope = NewDisposeScope();
        var logp = logits.log_softmax(-1);                                                        // [B, N, V]
        var logprobs = logp.gather(-1, responses.unsqueeze(-1)).squeeze(-1);                     // [B, N]
        Tensor entropy;
        using (no_grad())
            entropy = -(logp.exp() * logp).sum(-1);                                               // [B, N]
        return (scope.MoveToOuter(logprobs), scope.MoveToOuter(entropy));
    }

    /// <summary>The value model's score head at the response positions. [B, N]</summary>
    public static Tensor Values(IRewardModel valueModel, Tensor queryResponses, Tensor attentionMask, int contextLength)
    {
        using var scope = NewDisposeScope();
        var N = queryResponses.shape[1] - contextLength;
        var positions = AttentionMasks.PositionIdsFromMask(attentionMask);                        // [B, P + N]
        var hidden = valueModel.HiddenStates(queryResponses, attentionMask, positions);           // [B, P + N, C]
        return scope.MoveToOuter(valueModel.ScoreHidden(hidden.narrow(1, contextLength - 1, N))); // [B, N]
    }
}
