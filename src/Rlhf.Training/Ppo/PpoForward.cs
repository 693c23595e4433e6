using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// Forward passes over query+response ([B, P + N], queries left-padded to P, attention mask and position ids
/// cumsum(mask) - 1) read at the response positions, as TRL slices them: position t of the response is predicted by
/// (and valued from) the hidden state at column P - 1 + t, i.e. logits[:, P - 1 : -1] and values[:, P - 1 : -1].
/// Only those N hidden states go through the LM / score head.
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
        var positions = Gpt2Model.PositionIdsFromMask(attentionMask);                             // [B, P + N]
        if (model is not Gpt2LMHeadModel gpt2)
        {
            var all = model.forward(queryResponses, attentionMask, positions);                    // [B, P + N, V]
            return scope.MoveToOuter(all.narrow(1, contextLength - 1, N) / temperature);         // [B, N, V]
        }
        var hidden = gpt2.HiddenStates(queryResponses, attentionMask, positions);                 // [B, P + N, C]
        var h = hidden.narrow(1, contextLength - 1, N);                                           // [B, N, C]
        var logits = nn.functional.linear(h, gpt2.Transformer.TokenEmbeddingWeight);              // [B, N, V]
        return scope.MoveToOuter(logits / temperature);
    }

    /// <summary>log_softmax(logits / temperature) at each response token (TRL selective_log_softmax). [B, N]</summary>
    /// <param name="logits">[B, N, V], already divided by the temperature</param>
    /// <param name="responses">int64 [B, N]</param>
    public static Tensor LogProbs(Tensor logits, Tensor responses)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(logits.log_softmax(-1).gather(-1, responses.unsqueeze(-1)).squeeze(-1));   // [B, N]
    }

    /// <summary>The value model's score head at the response positions. [B, N]</summary>
    public static Tensor Values(IRewardModel valueModel, Tensor queryResponses, Tensor attentionMask, int contextLength)
    {
        using var scope = NewDisposeScope();
        var N = queryResponses.shape[1] - contextLength;
        var positions = Gpt2Model.PositionIdsFromMask(attentionMask);                             // [B, P + N]
        if (valueModel is not Gpt2ForSequenceClassification gpt2)
            return scope.MoveToOuter(valueModel.forward(queryResponses, attentionMask, positions).narrow(1, contextLength - 1, N));   // [B, N]
        var hidden = gpt2.HiddenStates(queryResponses, attentionMask, positions);                 // [B, P + N, C]
        return scope.MoveToOuter(gpt2.ScoreHidden(hidden.narrow(1, contextLength - 1, N)));      // [B, N]
    }
}
