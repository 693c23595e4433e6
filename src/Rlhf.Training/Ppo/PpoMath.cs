using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// The pure tensor functions of PPO, each as TRL computes it (trl/trainer/utils.py, trl/core.py, ppo_trainer.py).
/// Masks are "valid" masks (true/1 = a real response position) unless the name says padding.
/// </summary>
public static class PpoMath
{
    /// <summary>TRL's INVALID_LOGPROB: the log-prob written at padding positions (so old and new agree there and kl is 0).</summary>
    public const float InvalidLogProb = 1.0f;

    /// <summary>Mean of <paramref name="x"/> over positions where <paramref name="mask"/> is non-zero (TRL masked_mean). Scalar.</summary>
    public static Tensor MaskedMean(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(x.dtype);
        return scope.MoveToOuter((x * m).sum() / m.sum());
    }

    /// <summary>
    /// Variance over the masked positions (TRL masked_var). Biased (divide by n) by default, as DESIGN.md and
    /// lm-human-preferences whiten; <paramref name="unbiased"/> applies TRL's Bessel correction n / (n - 1). Scalar.
    /// </summary>
    public static Tensor MaskedVar(Tensor x, Tensor mask, bool unbiased = false)
    {
        using var scope = NewDisposeScope();
        var mean = MaskedMean(x, mask);
        var variance = MaskedMean((x - mean).square(), mask);
        if (unbiased)
        {
            var n = mask.to_type(ScalarType.Float64).sum().item<double>();
            if (n < 2) throw new ArgumentException("an unbiased variance needs at least 2 unmasked values", nameof(mask));
            variance = variance * (n / (n - 1));
        }
        return scope.MoveToOuter(variance);
    }

    /// <summary>
    /// TRL masked_whiten: (x - mean) / sqrt(var + 1e-8) over the masked positions (all positions when
    /// <paramref name="mask"/> is null), with the biased variance unless <paramref name="unbiased"/>; with
    /// <paramref name="shiftMean"/> false the mean is added back (only the scale changes). Masked-out positions are
    /// transformed too; callers zero them.
    /// </summary>
    /// <returns>same shape as <paramref name="x"/></returns>
    public static Tensor Whiten(Tensor x, Tensor? mask, bool shiftMean = true, bool unbiased = false)
    {
        using var scope = NewDisposeScope();
        var m = mask ?? ones_like(x);
        var mean = MaskedMean(x, m);
        var variance = MaskedVar(x, m, unbiased);
        var whitened = (x - mean) * (variance + 1e-8).rsqrt();
        if (!shiftMean) whitened = whitened + mean;
        return scope.MoveToOuter(whitened);
    }

    /// <summary>
    /// Generalised advantage estimation, backwards over the response positions as TRL's trainer loop does:
    /// delta_t = r_t + gamma V_{t+1} - V_t, A_t = delta_t + gamma lam A_{t+1}, V_T = 0, returns = A + V.
    /// Rewards and values are first zeroed where <paramref name="mask"/> is 0 (TRL masks them before the loop), so a
    /// response ends at its last valid position (V after it is 0) and padded positions get advantage and return 0.
    /// </summary>
    /// <param name="rewards">[B, T]</param>
    /// <param name="values">[B, T]</param>
    /// <param name="mask">[B, T] 1 = valid response position (bool or number)</param>
    /// <returns>advantages [B, T] (not whitened) and returns [B, T]</returns>
    public static (Tensor Advantages, Tensor Returns) Gae(Tensor rewards, Tensor values, Tensor mask, double gamma, double lam)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var r = rewards * m;                                   // [B, T]
        var v = values * m;                                    // [B, T]
        var T = r.shape[1];
        var reversed = new List<Tensor>();
        Tensor lastgaelam = zeros_like(v.select(1, 0));        // [B]
        for (var t = T - 1; t >= 0; t--)
        {
            var nextvalues = t < T - 1 ? v.select(1, t + 1) : zeros_like(lastgaelam);   // [B]
            var delta = r.select(1, t) + gamma * nextvalues - v.select(1, t);            // [B]
            lastgaelam = delta + gamma * lam * lastgaelam;                               // [B]
            reversed.Add(lastgaelam);
        }
        reversed.Reverse();
        var advantages = stack(reversed, 1);                   // [B, T]
        var returns = advantages + v;                          // [B, T]
        return scope.MoveToOuter(advantages, returns);
    }

    /// <summary>k1 = logp - ref_logp: unbiased per-token KL(pi || ref) estimate, can be negative. [B, T]</summary>
    public static Tensor KlK1(Tensor logprobs, Tensor refLogprobs) => logprobs - refLogprobs;

    /// <summary>k3 = (r - 1) - log r with log r = ref_logp - logp: unbiased, lower variance, never negative. [B, T]</summary>
    public static Tensor KlK3(Tensor logprobs, Tensor refLogprobs)
    {
        using var scope = NewDisposeScope();
        var logr = refLogprobs - logprobs;
        return scope.MoveToOuter((logr.exp() - 1) - logr);
    }

    /// <summary><see cref="KlK1"/> or <see cref="KlK3"/> by TRL's kl_estimator name.</summary>
    public static Tensor Kl(string estimator, Tensor logprobs, Tensor refLogprobs) => estimator switch
    {
        "k1" => KlK1(logprobs, refLogprobs),
        "k3" => KlK3(logprobs, refLogprobs),
        _ => throw new ArgumentException($"unknown KL estimator '{estimator}' (expected k1 or k3)", nameof(estimator)),
    };

    /// <summary>
    /// Ziegler et al.'s adaptive KL controller (TRL's AdaptiveKLController.update):
    /// e = clip(kl / target - 1, -0.2, 0.2); beta *= 1 + e * nSteps / horizon.
    /// </summary>
    /// <param name="beta">the current KL coefficient</param>
    /// <param name="kl">the measured KL (objective/kl)</param>
    /// <param name="target">the target KL</param>
    /// <param name="nSteps">episodes since the last update (the batch size)</param>
    /// <param name="horizon">the horizon in episodes</param>
    public static double AdaptiveKlUpdate(double beta, double kl, double target, double nSteps, double horizon)
    {
        var proportionalError = Math.Clamp(kl / target - 1, -0.2, 0.2);
        return beta * (1 + proportionalError * nSteps / horizon);
    }

    /// <summary>TRL first_true_indices: the index of the first true of each row, or the row length when none. int64 [B]</summary>
    /// <param name="bools">bool [B, T]</param>
    public static Tensor FirstTrueIndices(Tensor bools)
    {
        using var scope = NewDisposeScope();
        var T = bools.shape[^1];
        var zeroOrIndex = bools.logical_not().to_type(ScalarType.Int64) * T + arange(T, dtype: ScalarType.Int64, device: bools.device);   // [B, T]
        return scope.MoveToOuter(zeroOrIndex.amin([-1]));                                                                                // [B]
    }

    /// <summary>
    /// TRL truncate_response: every token after the first <paramref name="eosId"/> of a row becomes
    /// <paramref name="padId"/> (the EOS itself is kept); rows without it are unchanged.
    /// </summary>
    /// <param name="responses">int64 [B, N]</param>
    /// <returns>int64 [B, N]</returns>
    public static Tensor TruncateAtEos(Tensor responses, int eosId, int padId)
    {
        using var scope = NewDisposeScope();
        var N = responses.shape[1];
        var truncIdxs = FirstTrueIndices(responses.eq(eosId)).unsqueeze(-1);                    // [B, 1]
        var idxs = arange(N, dtype: ScalarType.Int64, device: responses.device).unsqueeze(0);    // [1, N]
        return scope.MoveToOuter(responses.masked_fill(idxs.gt(truncIdxs), padId));             // [B, N]
    }

    /// <summary>
    /// TRL's sequence_lengths: the index of each response's last valid token, its first <paramref name="eosId"/>
    /// (kept) or N - 1 when it has none or <paramref name="eosId"/> is null. (TRL derives it from the first pad, which
    /// for GPT-2, whose pad is its EOS, would drop the EOS itself.) int64 [B]
    /// </summary>
    /// <param name="responses">int64 [B, N], truncated or not</param>
    public static Tensor SequenceLengths(Tensor responses, int? eosId)
    {
        using var scope = NewDisposeScope();
        var N = responses.shape[1];
        if (eosId is not int eos) return scope.MoveToOuter(full(responses.shape[0], N - 1, dtype: ScalarType.Int64, device: responses.device));
        return scope.MoveToOuter(FirstTrueIndices(responses.eq(eos)).clamp_max(N - 1));      // [B]
    }

    /// <summary>TRL padding_mask: true at positions after each row's last valid token. bool [B, N]</summary>
    /// <param name="sequenceLengths">int64 [B]</param>
    public static Tensor PaddingMask(Tensor sequenceLengths, long N)
    {
        using var scope = NewDisposeScope();
        var responseIdxs = arange(N, dtype: ScalarType.Int64, device: sequenceLengths.device).unsqueeze(0);   // [1, N]
        return scope.MoveToOuter(responseIdxs.gt(sequenceLengths.unsqueeze(1)));                              // [B, N]
    }

    /// <summary>
    /// TRL contain_eos_token: whether a response holds <paramref name="eosId"/> at a valid position. bool [B]
    /// </summary>
    /// <param name="responses">int64 [B, N]</param>
    /// <param name="paddingMask">bool [B, N] (positions to ignore), or null</param>
    public static Tensor ContainsEos(Tensor responses, int eosId, Tensor? paddingMask = null)
    {
        using var scope = NewDisposeScope();
        var isEos = responses.eq(eosId);                                                        // [B, N]
        if (paddingMask is not null) isEos = isEos.logical_and(paddingMask.logical_not());
        return scope.MoveToOuter(isEos.any(1));                                                 // [B]
    }

    /// <summary>TRL missing_eos_penalty: scores[~hasEos] -= penalty (out of place). float [B]</summary>
    /// <param name="scores">float [B]</param>
    /// <param name="hasEos">bool [B]</param>
    public static Tensor ApplyMissingEosPenalty(Tensor scores, Tensor hasEos, double penalty)
    {
        using var scope = NewDisposeScope();
        var missing = hasEos.logical_not().to_type(scores.dtype);                               // [B]
        return scope.MoveToOuter(scores - missing * penalty);
    }

    /// <summary>
    /// rewards = non_score_reward with each row's score added at its last valid token (sequence_lengths), as in
    /// lm-human-preferences and DESIGN.md. (TRL's current trainer adds it one position later, at sequence_lengths + 1,
    /// when that fits.) [B, N]
    /// </summary>
    /// <param name="nonScoreReward">float [B, N]</param>
    /// <param name="scores">float [B]</param>
    /// <param name="sequenceLengths">int64 [B]</param>
    public static Tensor AddScoreAtEnd(Tensor nonScoreReward, Tensor scores, Tensor sequenceLengths)
    {
        using var scope = NewDisposeScope();
        var N = nonScoreReward.shape[1];
        var responseIdxs = arange(N, dtype: ScalarType.Int64, device: nonScoreReward.device).unsqueeze(0);   // [1, N]
        var atEnd = responseIdxs.eq(sequenceLengths.unsqueeze(1)).to_type(nonScoreReward.dtype);            // [B, N] one-hot
        return scope.MoveToOuter(nonScoreReward + atEnd * scores.to_type(nonScoreReward.dtype).unsqueeze(1));
    }

    /// <summary>
    /// Explained variance of <paramref name="values"/> as predictions of <paramref name="returns"/> over the valid
    /// positions (CleanRL's explained_variance): 1 - Var(returns - values) / Var(returns), biased variances; 1 is a perfect
    /// value function, 0 no better than the mean, negative worse. Null when the returns do not vary.
    /// </summary>
    /// <param name="values">[B, N]</param>
    /// <param name="returns">[B, N]</param>
    /// <param name="mask">[B, N] 1 = valid response position</param>
    public static double? ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var varReturns = MaskedVar(returns, mask).item<float>();
        if (!(varReturns > 1e-12)) return null;
        return 1.0 - MaskedVar(returns - values, mask).item<float>() / varReturns;
    }

    /// <summary>Entropy of softmax(logits) along the last axis: logsumexp(l) - sum(softmax(l) * l) (TRL). [...]</summary>
    /// <param name="logits">[..., V]</param>
    public static Tensor EntropyFromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var probDist = logits.softmax(-1);
        return scope.MoveToOuter(logits.logsumexp(-1) - (probDist * logits).sum(-1));
    }
}
