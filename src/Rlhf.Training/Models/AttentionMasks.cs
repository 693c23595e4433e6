using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// Padding helpers shared by every model family: position ids for left padding, the causal/padding mask
/// handed to scaled_dot_product_attention, and the index of the last real token (where a reward is read).
/// </summary>
public static class AttentionMasks
{
    /// <summary>Position ids for a left-padded batch: cumsum(mask) - 1, clamped at 0 (pads get position 0).</summary>
    /// <param name="attentionMask">[B, S] of 0/1</param>
    /// <returns>int64 [B, S]</returns>
    public static Tensor PositionIdsFromMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var pos = attentionMask.to_type(ScalarType.Int64).cumsum(1) - 1;   // [B, S]
        return scope.MoveToOuter(pos.clamp_min(0));
    }

    /// <summary>
    /// bool [B or 1, 1, T, S]: query t (absolute position past + t) may attend key s when s &lt;= past + t
    /// and key s is not padding. A query that would see no key at all (a left pad) may see itself,
    /// which keeps softmax finite; real tokens are unaffected.
    /// </summary>
    /// <param name="attentionMask">[B, S] 0/1, or null (no padding)</param>
    public static Tensor Allowed(Tensor? attentionMask, long T, long past, Device device)
    {
        using var scope = NewDisposeScope();
        var S = past + T;
        var causal = ones(T, S, dtype: ScalarType.Bool, device: device).tril(past);   // [T, S]
        var allowed = causal.unsqueeze(0).unsqueeze(0);                                 // [1, 1, T, S]
        if (attentionMask is not null)
        {
            var keys = attentionMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1);   // [B, 1, 1, S]
            var self = causal.logical_and(causal.tril(past - 1).logical_not());             // [T, S] s == past + t
            allowed = allowed.logical_and(keys).logical_or(self.unsqueeze(0).unsqueeze(0)); // [B, 1, T, S]
        }
        return scope.MoveToOuter(allowed);
    }

    /// <summary>
    /// The mask for a forward pass, or null when none is needed: without padding, plain causal attention
    /// when the queries start at position 0 (SDPA's is_causal), no masking at all for one query over a cache.
    /// Also checks the mask's shape.
    /// </summary>
    /// <returns>bool [B or 1, 1, T, S], or null</returns>
    public static Tensor? ForForward(Tensor inputIds, Tensor? attentionMask, long past)
    {
        var (B, T) = (inputIds.shape[0], inputIds.shape[1]);
        var S = past + T;
        if (attentionMask is not null && (attentionMask.shape.Length != 2 || attentionMask.shape[0] != B || attentionMask.shape[1] != S))
            throw new ArgumentException($"attention mask has shape [{string.Join(", ", attentionMask.shape)}], expected [{B}, {S}]");
        return attentionMask is null && (past == 0 || T == 1) ? null : Allowed(attentionMask, T, past, inputIds.device);
    }

    /// <summary>
    /// Index of the last real token of each row: the last position with mask 1 when a mask is given,
    /// else the last position whose id is not <paramref name="padTokenId"/> (0 if none), as HF's
    /// *ForSequenceClassification (transformers >= 4.48).
    /// </summary>
    /// <returns>int64 [B]</returns>
    public static Tensor LastTokenIndices(Tensor inputIds, Tensor? attentionMask, int padTokenId)
    {
        using var scope = NewDisposeScope();
        var T = inputIds.shape[1];
        var real = attentionMask is not null
            ? attentionMask.to_type(ScalarType.Int64).ne(0)
            : inputIds.ne(padTokenId);                                                   // [B, T] bool
        var positions = arange(T, dtype: ScalarType.Int64, device: inputIds.device);    // [T]
        var last = (positions * real.to_type(ScalarType.Int64)).argmax(1);               // [B]
        return scope.MoveToOuter(last);
    }
}
