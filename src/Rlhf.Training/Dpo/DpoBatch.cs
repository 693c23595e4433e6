using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Dpo;

/// <summary>
/// A batch of DPO pairs as TRL's collator makes it: rows 0..B-1 are prompt + chosen, rows B..2B-1 prompt + rejected
/// (the same pairs in the same order), each cut by <see cref="DpoTruncation.Row"/>, right-padded, with a completion
/// mask marking the completion tokens. The forward pass needs no attention mask: with right padding causal attention
/// already keeps every pad out of every real position, and pads' outputs are never read.
/// </summary>
public sealed class DpoBatch : TokenBatch
{
    private DpoBatch(Tensor inputIds, Tensor completionMask, Tensor completionTokens) : base(inputIds, completionMask, completionTokens)
    {
        CompletionMask = completionMask;
        CompletionTokens = completionTokens;
    }

    /// <summary>float32 [2B, T], 1 at completion tokens.</summary>
    public Tensor CompletionMask { get; }

    /// <summary>float32 [2B], completion tokens of each row.</summary>
    public Tensor CompletionTokens { get; }

    public long Pairs => InputIds.shape[0] / 2;

    public static DpoBatch Create(IReadOnlyList<DpoExample> examples, int maxLength, string truncationMode, int padTokenId)
    {
        if (examples.Count == 0) throw new ArgumentException("a batch needs at least one pair", nameof(examples));
        var rows = examples.Select(e => DpoTruncation.Row(e.PromptIds, e.ChosenIds, maxLength, truncationMode))
            .Concat(examples.Select(e => DpoTruncation.Row(e.PromptIds, e.RejectedIds, maxLength, truncationMode))).ToArray();
        var n = rows.Length;
        var t = rows.Max(r => r.Ids.Length);
        var mask = new float[n * t];
        var counts = new float[n];
        for (var i = 0; i < n; i++)
        {
            var (ids, promptTokens) = rows[i];
            Array.Fill(mask, 1f, i * t + promptTokens, ids.Length - promptTokens);
            counts[i] = ids.Length - promptTokens;
        }
        var flat = RightPad(rows.Select(r => r.Ids).ToArray(), rows.Select(r => r.Ids.Length).ToArray(), t, padTokenId);   // [2B * T]
        return new DpoBatch(tensor(flat, [n, t]), tensor(mask, [n, t]), tensor(counts));
    }

    /// <summary>
    /// Each row's summed log-prob of its completion tokens given everything before them ([2B], with grad when the model
    /// has it), and the sum over those tokens of the mean logit over the vocabulary ([2B], detached; TRL's logits/*).
    /// The LM head and the log-softmax run only at the positions that predict a completion token: the prompt's and the
    /// padding's logits ([.., T, V] with V = 50k for GPT-2) were most of a step's time and memory and carry no loss.
    /// </summary>
    public (Tensor LogProbs, Tensor LogitSums) Forward(ICausalLanguageModel model)
    {
        using var scope = NewDisposeScope();
        var T = InputIds.shape[1];
        var hidden = model.HiddenStates(InputIds);                                       // [2B, T, C]
        var mask = CompletionMask[TensorIndex.Colon, TensorIndex.Slice(1, T)];           // [2B, T-1]: is ids[t+1] a completion token
        var at = mask.nonzero();                                                         // [M, 2]: (row, t) predicting a completion token
        var (rows, positions) = (at[TensorIndex.Colon, 0], at[TensorIndex.Colon, 1]);    // [M], [M]
        var logits = model.LmHead(hidden.index(rows, positions));                        // [M, V]
        var targets = InputIds.index(rows, positions + 1);                               // [M]: the completion tokens
        var tokenLogps = logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);   // [M]
        var n = InputIds.shape[0];
        var logps = zeros(n, dtype: tokenLogps.dtype).index_add(0, rows, tokenLogps, 1);     // [2B]
        var logitSums = zeros(n, dtype: logits.dtype).index_add(0, rows, logits.detach().mean([-1L]), 1);   // [2B]
        return (scope.MoveToOuter(logps), scope.MoveToOuter(logitSums));
    }
}
