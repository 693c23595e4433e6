using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Sampling;

/// <summary>Log-probabilities of given tokens under logits / temperature.</summary>
public static class TokenLogProbs
{
    /// <summary>log_softmax(logits / temperature)[..., token].</summary>
    /// <param name="logits">[B, T, V] (or [B, V])</param>
    /// <param name="tokens">int64 [B, T] (or [B])</param>
    /// <param name="temperature">&gt; 0; 1 leaves the logits as they are</param>
    /// <returns>[B, T] (or [B])</returns>
    public static Tensor Gather(Tensor logits, Tensor tokens, double temperature = 1.0)
    {
        if (!(temperature > 0)) throw new ArgumentException($"temperature must be > 0 (got {temperature})", nameof(temperature));
        using var scope = NewDisposeScope();
        var scaled = temperature == 1.0 ? logits : logits / temperature;
        var logp = scaled.log_softmax(-1);                                            // [B, T, V]
        return scope.MoveToOuter(logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)); // [B, T]
    }

    /// <summary>
    /// Log-probs of the tokens that follow each position of a sequence: result[b, t] = log p(ids[b, t+1] | ids[b, ..t]).
    /// </summary>
    /// <param name="logits">[B, T, V] from a forward pass over <paramref name="inputIds"/></param>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <returns>[B, T-1]</returns>
    public static Tensor NextTokenLogProbs(Tensor logits, Tensor inputIds, double temperature = 1.0)
    {
        using var scope = NewDisposeScope();
        var T = inputIds.shape[1];
        var predicting = logits[TensorIndex.Colon, TensorIndex.Slice(0, T - 1)];    // [B, T-1, V]
        var targets = inputIds[TensorIndex.Colon, TensorIndex.Slice(1, T)];        // [B, T-1]
        return scope.MoveToOuter(Gather(predicting, targets, temperature));
    }
}
