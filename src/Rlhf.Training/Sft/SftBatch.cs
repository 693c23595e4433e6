using static TorchSharp.torch;

namespace Rlhf.Training.Sft;

/// <summary>
/// Rows of tokens for one forward pass, right-padded: input_ids int64 [B, T] and labels int64 [B, T] (the id where the
/// token carries loss, -100 elsewhere: prompt, template and padding). Right padding needs no attention mask: causal
/// attention keeps every real token from seeing the padding after it, and positions run 0.. from each row's start.
/// A packed row holds several examples one after another (attention crosses them, as in TRL's classic packing).
/// </summary>
internal sealed class SftBatch : IDisposable
{
    public const long IgnoreIndex = -100;

    private SftBatch(Tensor inputIds, Tensor labels, long tokens)
    {
        InputIds = inputIds;
        Labels = labels;
        Tokens = tokens;
    }

    /// <summary>int64 [B, T].</summary>
    public Tensor InputIds { get; }

    /// <summary>int64 [B, T]: the target id, or -100 for no loss.</summary>
    public Tensor Labels { get; }

    /// <summary>Real (non-padding) tokens: what TRL's num_tokens counts.</summary>
    public long Tokens { get; }

    /// <summary>Each row is the given sequences end to end (one sequence per row without packing).</summary>
    public static SftBatch Create(IReadOnlyList<IReadOnlyList<SftSequence>> rows, int padTokenId)
    {
        var lengths = rows.Select(r => r.Sum(s => s.Ids.Length)).ToArray();
        var T = lengths.Max();
        var ids = new long[rows.Count * T];
        var labels = new long[rows.Count * T];
        Array.Fill(ids, padTokenId);
        Array.Fill(labels, IgnoreIndex);
        for (var b = 0; b < rows.Count; b++)
        {
            var at = b * T;
            foreach (var s in rows[b])
                for (var t = 0; t < s.Ids.Length; t++, at++)
                {
                    ids[at] = s.Ids[t];
                    if (s.Loss[t]) labels[at] = s.Ids[t];
                }
        }
        return new SftBatch(tensor(ids, [rows.Count, T]), tensor(labels, [rows.Count, T]), lengths.Sum());
    }

    /// <summary>
    /// Next-token cross-entropy summed over the tokens that carry loss, how many of them the argmax got right, and their
    /// count: logits[:, t] predicts labels[:, t + 1].
    /// </summary>
    /// <param name="logits">[B, T, V]</param>
    public (Tensor LossSum, Tensor Correct, Tensor Count) TokenLoss(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var V = logits.shape[2];
        var predicted = logits[.., ..^1, ..];                                             // [B, T-1, V]
        var targets = Labels[.., 1..];                                                     // [B, T-1]
        var lossSum = nn.functional.cross_entropy(predicted.reshape(-1, V), targets.reshape(-1),
            ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum);                       // []
        var valid = targets.ne(IgnoreIndex);                                               // [B, T-1]
        var correct = predicted.argmax(-1).eq(targets).logical_and(valid).sum();          // []
        return scope.MoveToOuter(lossSum, correct, valid.sum());
    }

    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
    }
}
