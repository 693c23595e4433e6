using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Sampling;

/// <summary>Top-k and top-p (nucleus) filtering of next-token logits, as HF's logits warpers.</summary>
public static class LogitsFilters
{
    /// <summary>Keeps the k largest logits of each row, the rest become -inf. k &lt;= 0 or &gt;= V: unchanged copy.</summary>
    /// <param name="logits">[B, V]</param>
    /// <returns>[B, V]</returns>
    public static Tensor TopK(Tensor logits, int k)
    {
        using var scope = NewDisposeScope();
        var V = logits.shape[^1];
        if (k <= 0 || k >= V) return scope.MoveToOuter(logits.clone());
        var (values, _) = logits.topk(k, dim: -1);                                // [B, k]
        var kth = values[TensorIndex.Ellipsis, TensorIndex.Slice(k - 1, k)];       // [B, 1]
        return scope.MoveToOuter(logits.masked_fill(logits.lt(kth), float.NegativeInfinity));
    }

    /// <summary>
    /// Keeps the smallest set of most likely tokens whose probability sums to at least p (at least one
    /// token); the rest become -inf. p &gt;= 1: unchanged copy.
    /// </summary>
    /// <param name="logits">[B, V]</param>
    /// <returns>[B, V]</returns>
    /// <summary>Tokens ranked first in <see cref="TopP"/>; the whole vocabulary is sorted only when they hold less than p.</summary>
    private const int TopPCandidates = 512;

    public static Tensor TopP(Tensor logits, double p)
    {
        using var scope = NewDisposeScope();
        if (p >= 1.0) return scope.MoveToOuter(logits.clone());

        // Fast path: the nucleus is nearly always inside the top few hundred tokens, so rank only those (a partial
        // top-k instead of sorting the whole vocabulary every decoding step, which dominated sampling time).
        var V = logits.shape[^1];
        var k = (int)Math.Min(V, TopPCandidates);
        var (topValues, topIndices) = logits.topk(k, dim: -1);             // [B, k], descending
        var topProbs = (topValues - logits.logsumexp(-1, keepdim: true)).exp();   // [B, k]: probabilities in the full softmax
        var topBefore = topProbs.cumsum(-1) - topProbs;                     // [B, k]: mass ranked above each candidate
        var covered = (topBefore[TensorIndex.Colon, -1] + topProbs[TensorIndex.Colon, -1]).ge(p).all().item<bool>();
        if (k == V || covered)
        {
            var kept = topValues.masked_fill(topBefore.ge(p), float.NegativeInfinity);   // rank 0 always kept
            return scope.MoveToOuter(full_like(logits, float.NegativeInfinity).scatter(-1, topIndices, kept));
        }

        var (sorted, indices) = logits.sort(dim: -1, descending: true);   // [B, V]
        var probs = sorted.softmax(-1);                                    // [B, V]
        var before = probs.cumsum(-1) - probs;                              // mass of the tokens ranked above
        var removeSorted = before.ge(p);                                    // [B, V]; rank 0 always kept
        var remove = zeros_like(removeSorted).scatter(-1, indices, removeSorted);   // back to vocab order
        return scope.MoveToOuter(logits.masked_fill(remove, float.NegativeInfinity));
    }
}
