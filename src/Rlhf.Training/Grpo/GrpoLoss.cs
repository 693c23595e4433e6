using Rlhf.Training.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// TRL's GRPO loss (GRPOTrainer._compute_loss, importance_sampling_level "token") for one minibatch:
/// <code>
/// coef_1         = exp(logp - old_logp)                               per token
/// coef_2         = clamp(coef_1, 1 - epsilon, 1 + epsilon_high)
/// per_token_loss = -min(coef_1 * A, coef_2 * A) + beta * k3,   k3 = exp(ref_logp - logp) - (ref_logp - logp) - 1
/// grpo:    loss = mean over completions of (sum_t mask * per_token_loss) / max(sum_t mask, 1)
/// bnpo:    loss = sum(mask * per_token_loss) / max(sum(mask), 1)
/// dr_grpo: loss = sum(mask * per_token_loss) / (completions x max_completion_length)
/// </code>
/// k3 in the loss has, in expectation over completions of the policy, the gradient of KL(ref || pi) (not KL(pi || ref)):
/// d k3 / d logp = 1 - pi_ref / pi. Metrics (masked means over valid tokens): kl, clip_ratio/low_mean (ratio below
/// 1 - epsilon where A &lt; 0), clip_ratio/high_mean (above 1 + epsilon_high where A &gt; 0), clip_ratio/region_mean
/// (either), clip_ratio/low_min and clip_ratio/high_max (the smallest / largest per-completion share).
/// </summary>
public static class GrpoLoss
{
    /// <param name="logprobs">[mb, N] log-probs of the completions under the current policy (logits / temperature), with grad</param>
    /// <param name="oldLogprobs">[mb, N] log-probs under the policy that sampled them</param>
    /// <param name="refLogprobs">[mb, N] under the reference, or null when <paramref name="beta"/> is 0</param>
    /// <param name="advantages">[mb] one per completion</param>
    /// <param name="mask">[mb, N] 1 = a valid completion token (up to and including the stop token)</param>
    /// <param name="maxCompletionLength">N of dr_grpo's normaliser (the configured length, not the batch's)</param>
    public static GrpoLossTerms Compute(Tensor logprobs, Tensor oldLogprobs, Tensor? refLogprobs, Tensor advantages, Tensor mask,
        double beta, double epsilon, double epsilonHigh, string lossType, int maxCompletionLength)
    {
        if (beta != 0 && refLogprobs is null) throw new ArgumentException("beta > 0 needs the reference log-probs", nameof(refLogprobs));
        using var scope = NewDisposeScope();
        var m = mask.to_type(logprobs.dtype);                                              // [mb, N]
        var A = advantages.to_type(logprobs.dtype).unsqueeze(1);                           // [mb, 1]
        var coef1 = (logprobs - oldLogprobs).exp();                                        // [mb, N]
        var coef2 = coef1.clamp(1 - epsilon, 1 + epsilonHigh);                             // [mb, N]
        var perTokenLoss = -minimum(coef1 * A, coef2 * A);                                 // [mb, N]
        Tensor? perTokenKl = null;
        if (beta != 0)
        {
            perTokenKl = PpoMath.KlK3(logprobs, refLogprobs!);                             // [mb, N]
            perTokenLoss = perTokenLoss + beta * perTokenKl;
        }
        var loss = Aggregate(perTokenLoss, m, lossType, maxCompletionLength);             // []

        Tensor? kl;
        Tensor low, high, region, lowMin, highMax;
        using (no_grad())
        {
            var tokens = m.sum().clamp_min(1.0);                                           // []
            Tensor MaskedMean(Tensor x) => (x * m).sum() / tokens;
            Tensor PerCompletion(Tensor x) => (x * m).sum(1) / m.sum(1).clamp_min(1.0);    // [mb]
            kl = perTokenKl is null ? null : MaskedMean(perTokenKl.detach());
            var c1 = coef1.detach();
            var isLow = c1.lt(1 - epsilon).logical_and(A.lt(0)).to_type(m.dtype);         // [mb, N]
            var isHigh = c1.gt(1 + epsilonHigh).logical_and(A.gt(0)).to_type(m.dtype);     // [mb, N]
            var isRegion = isLow.logical_or(isHigh).to_type(m.dtype);                      // [mb, N]
            low = MaskedMean(isLow);
            high = MaskedMean(isHigh);
            region = MaskedMean(isRegion);
            lowMin = PerCompletion(isLow).min();
            highMax = PerCompletion(isHigh).max();
        }
        var terms = new GrpoLossTerms(loss, kl, low, high, region, lowMin, highMax);
        if (kl is not null) scope.MoveToOuter(kl);
        scope.MoveToOuter(loss, low, high, region, lowMin, highMax);
        return terms;
    }

    /// <summary>The loss_type's reduction of per-token losses [mb, N] under mask [mb, N] (float). Scalar.</summary>
    public static Tensor Aggregate(Tensor perTokenLoss, Tensor mask, string lossType, int maxCompletionLength)
    {
        using var scope = NewDisposeScope();
        var masked = perTokenLoss * mask;                                                  // [mb, N]
        var loss = lossType switch
        {
            GrpoConfig.LossGrpo => (masked.sum(1) / mask.sum(1).clamp_min(1.0)).mean(),
            GrpoConfig.LossBnpo => masked.sum() / mask.sum().clamp_min(1.0),
            GrpoConfig.LossDrGrpo => masked.sum() / ((double)perTokenLoss.shape[0] * maxCompletionLength),
            _ => throw new ArgumentException($"unknown loss type '{lossType}' (expected grpo, dr_grpo or bnpo)", nameof(lossType)),
        };
        return scope.MoveToOuter(loss);
    }
}
