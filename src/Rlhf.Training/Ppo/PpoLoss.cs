using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// The loss of one PPO minibatch and the statistics TRL records for it. All tensors are scalars; only
/// <see cref="Loss"/>, <see cref="PgLoss"/> and <see cref="VfLoss"/> carry grad.
/// </summary>
public sealed record PpoLossTerms(Tensor Loss, Tensor PgLoss, Tensor VfLoss, Tensor PgClipfrac, Tensor VfClipfrac, Tensor ApproxKl, Tensor RatioMean)
    : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        PgLoss.Dispose();
        VfLoss.Dispose();
        PgClipfrac.Dispose();
        VfClipfrac.Dispose();
        ApproxKl.Dispose();
        RatioMean.Dispose();
    }
}

/// <summary>
/// TRL's clipped PPO objective for one minibatch:
/// <code>
/// ratio     = exp(new_logprobs - logprobs)
/// pg_loss   = masked_mean(max(-A * ratio, -A * clamp(ratio, 1 - cliprange, 1 + cliprange)))
/// vf_loss   = 0.5 * masked_mean(max((vpred - R)^2, (clamp(vpred, V_old - cliprange_value, V_old + cliprange_value) - R)^2))
/// loss      = pg_loss + vf_coef * vf_loss
/// pg_clipfrac = masked_mean(clipped pg term &gt; unclipped), vf_clipfrac likewise,
/// approxkl  = 0.5 * mean((new_logprobs - logprobs)^2), ratio_mean = mean(ratio)
/// </code>
/// Masked means run over the valid response positions. As in TRL, new log-probs are set to
/// <see cref="PpoMath.InvalidLogProb"/> at padding (the old ones already are), so approxkl and the ratio mean, which
/// TRL takes over every position, count padding as ratio 1 and difference 0.
/// </summary>
public static class PpoLoss
{
    /// <param name="newLogprobs">[mb, N] log-probs of the responses under the current policy (logits / temperature), with grad</param>
    /// <param name="logprobs">[mb, N] the rollout log-probs (INVALID_LOGPROB at padding)</param>
    /// <param name="advantages">[mb, N] whitened advantages (0 at padding)</param>
    /// <param name="vpred">[mb, N] current values, with grad</param>
    /// <param name="values">[mb, N] the rollout values (0 at padding)</param>
    /// <param name="returns">[mb, N]</param>
    /// <param name="paddingMask">bool [mb, N], true after each response's last valid token</param>
    public static PpoLossTerms Compute(Tensor newLogprobs, Tensor logprobs, Tensor advantages, Tensor vpred, Tensor values, Tensor returns,
        Tensor paddingMask, double cliprange, double cliprangeValue, double vfCoef)
    {
        using var scope = NewDisposeScope();
        var valid = paddingMask.logical_not();                                                      // [mb, N]
        newLogprobs = newLogprobs.masked_fill(paddingMask, PpoMath.InvalidLogProb);                 // [mb, N]
        vpred = vpred.masked_fill(paddingMask, 0);                                                  // [mb, N]

        var vpredclipped = minimum(maximum(vpred, values - cliprangeValue), values + cliprangeValue);   // [mb, N]
        var vfLosses1 = (vpred - returns).square();                                                 // [mb, N]
        var vfLosses2 = (vpredclipped - returns).square();                                          // [mb, N]
        var vfLossMax = maximum(vfLosses1, vfLosses2);                                              // [mb, N]
        var vfLoss = 0.5 * PpoMath.MaskedMean(vfLossMax, valid);                                    // []
        var vfClipfrac = PpoMath.MaskedMean(vfLosses2.gt(vfLosses1).to_type(ScalarType.Float32), valid);   // []

        var logprobsDiff = newLogprobs - logprobs;                                                  // [mb, N]
        var ratio = logprobsDiff.exp();                                                             // [mb, N]
        var pgLosses = -advantages * ratio;                                                         // [mb, N]
        var pgLosses2 = -advantages * ratio.clamp(1.0 - cliprange, 1.0 + cliprange);               // [mb, N]
        var pgLossMax = maximum(pgLosses, pgLosses2);                                               // [mb, N]
        var pgLoss = PpoMath.MaskedMean(pgLossMax, valid);                                          // []
        var loss = pgLoss + vfCoef * vfLoss;                                                        // []

        Tensor pgClipfrac, approxkl, ratioMean;
        using (no_grad())
        {
            pgClipfrac = PpoMath.MaskedMean(pgLosses2.gt(pgLosses).to_type(ScalarType.Float32), valid);   // []
            approxkl = 0.5 * logprobsDiff.square().mean();                                               // []
            ratioMean = ratio.mean();                                                                     // []
        }
        var terms = new PpoLossTerms(loss, pgLoss, vfLoss, pgClipfrac, vfClipfrac.detach(), approxkl, ratioMean);
        scope.MoveToOuter(terms.Loss, terms.PgLoss, terms.VfLoss, terms.PgClipfrac, terms.VfClipfrac, terms.ApproxKl, terms.RatioMean);
        return terms;
    }
}
