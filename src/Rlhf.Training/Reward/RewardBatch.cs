using Rlhf.Training.Models;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// Token rows right-padded into one batch: input ids [N, T] (padded with the model's pad id), attention mask [N, T] and the index of
/// each row's last real token [N], found from the mask (GPT-2's pad is also its EOS, so a real EOS must count).
/// </summary>
public sealed class RewardBatch : TokenBatch
{
    private RewardBatch(Tensor inputIds, Tensor attentionMask, Tensor lastIndex, long tokens)
        : base(inputIds, attentionMask, lastIndex)
    {
        AttentionMask = attentionMask;
        LastIndex = lastIndex;
        TokenCount = tokens;
    }

    /// <summary>int64 [N, T], 1 for real tokens</summary>
    public Tensor AttentionMask { get; }

    /// <summary>int64 [N]</summary>
    public Tensor LastIndex { get; }

    /// <summary>Real (non-pad) tokens in the batch.</summary>
    public long TokenCount { get; }

    public long Rows => InputIds.shape[0];

    public static RewardBatch Create(IReadOnlyList<int[]> rows, int padTokenId)
    {
        if (rows.Count == 0) throw new ArgumentException("a batch needs at least one row", nameof(rows));
        var n = rows.Count;
        var t = rows.Max(r => r.Length);
        if (t == 0) throw new ArgumentException("every row is empty", nameof(rows));
        var mask = new long[n * t];
        long tokens = 0;
        for (var i = 0; i < n; i++)
        {
            var row = rows[i];
            if (row.Length == 0) throw new ArgumentException($"row {i} is empty", nameof(rows));
            Array.Fill(mask, 1, i * t, row.Length);
            tokens += row.Length;
        }
        var ids = RightPad(rows, rows.Select(r => r.Length).ToArray(), t, padTokenId);   // [N * T]

        using var scope = NewDisposeScope();
        var inputIds = tensor(ids, [n, t]);
        var attentionMask = tensor(mask, [n, t]);
        var last = Gpt2ForSequenceClassification.LastTokenIndices(inputIds, attentionMask, padTokenId);   // [N]
        return new RewardBatch(scope.MoveToOuter(inputIds), scope.MoveToOuter(attentionMask), scope.MoveToOuter(last), tokens);
    }

    /// <summary>
    /// The reward of each row: the score head at its last real token. [N]
    /// <para>The backbone runs with causal attention only (no padding mask): with right padding every pad comes
    /// after every real token of its row, so causal attention already keeps pads out of every real position, and
    /// the result at real positions equals the masked computation (HF's); pads' own outputs are never read. The
    /// score head runs on the N gathered last states only.</para>
    /// </summary>
    public Tensor Rewards(IRewardModel model)
    {
        using var scope = NewDisposeScope();
        if (model is not Gpt2ForSequenceClassification gpt2)
        {
            var scores = model.forward(InputIds);                                          // [N, T], causal only (see above)
            return scope.MoveToOuter(scores.gather(1, LastIndex.unsqueeze(1)).squeeze(1));   // [N]
        }
        var hidden = gpt2.HiddenStates(InputIds);                                        // [N, T, C]
        var (n, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var flat = arange(n, dtype: ScalarType.Int64) * t + LastIndex;                    // [N]
        var last = hidden.reshape(n * t, c).index_select(0, flat);                        // [N, C]
        return scope.MoveToOuter(gpt2.ScoreHidden(last));                                 // [N]
    }

    /// <summary>
    /// Token ids of "User: {prompt}\nAssistant: {response}" (<see cref="ConversationTemplate.RenderWithResponse(string, string)"/>),
    /// no EOS appended; when longer than <paramref name="maxLength"/> only the last maxLength tokens are kept (the response end).
    /// </summary>
    public static int[] Encode(string prompt, string response, int maxLength) => Encode(ChatPrompts.Gpt2Demo, prompt, response, maxLength);

    /// <summary>
    /// Token ids of the prompt and response in the model's own chat template (<see cref="ChatPrompts.EncodeWithResponse"/>),
    /// no end-of-turn token; when longer than <paramref name="maxLength"/> only the last maxLength tokens are kept.
    /// </summary>
    public static int[] Encode(ModelTokenizer tokenizer, string prompt, string response, int maxLength)
    {
        var ids = ChatPrompts.EncodeWithResponse(tokenizer, prompt, response);
        return ids.Length > maxLength ? ids[^maxLength..] : ids;
    }
}
