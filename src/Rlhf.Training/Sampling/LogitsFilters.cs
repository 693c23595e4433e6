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
    public static Tensor TopP(Tensor logits, double p)
    {
        using var scope = NewDisposeScope();
        if (p >= 1.0) return scope.MoveToOuter(logits.clone());
        var (sorted, indices) = logits.sort(dim: -1, descending: true);   // [B, V]
        var probs = sorted.softmax(-1);                                    // [B, V]
        var before = probs.cumsum(-1) - probs;                              // mass of the tokens ranked above
        var removeSorted = before.ge(p);                                    // [B, V]; rank 0 always kept
        var remove = zeros_like(removeSorted).scatter(-1, indices, removeSorted);   // back to vocab order
        return scope.MoveToOuter(logits.masked_fill(remove, float.NegativeInfinity));
    }
}
