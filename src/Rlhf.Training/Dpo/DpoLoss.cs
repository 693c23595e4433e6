using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Dpo;

/// <summary>
/// The DPO losses (TRL's DPOTrainer.dpo_loss), per pair, averaged over the batch. With the summed completion log-probs
/// of the policy (pi) and the frozen reference (ref):
/// <code>
/// h_c = log pi(c) - log ref(c)          h_r = log pi(r) - log ref(r)          (log-ratios)
/// sigmoid: -(1 - eps) log sigmoid(beta (h_c - h_r)) - eps log sigmoid(-beta (h_c - h_r))   (eps = label smoothing, cDPO)
/// ipo:     (h_c / |c| - h_r / |r| - 1 / (2 beta))^2                                          (|c|: completion tokens)
/// </code>
/// The implicit rewards (TRL's rewards/chosen, rewards/rejected) are beta h_c and beta h_r, for either loss.
/// </summary>
public static class DpoLoss
{
    public const string Sigmoid = "sigmoid";
    public const string Ipo = "ipo";

    /// <param name="policyChosen">[B] summed log-probs of the chosen completions under the policy</param>
    /// <param name="policyRejected">[B]</param>
    /// <param name="referenceChosen">[B] the same under the reference</param>
    /// <param name="referenceRejected">[B]</param>
    /// <param name="chosenTokens">[B] completion tokens of each chosen row (ipo's length normalisation)</param>
    /// <param name="rejectedTokens">[B]</param>
    public static DpoLossTerms Compute(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected,
        Tensor chosenTokens, Tensor rejectedTokens, double beta, string lossType, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        var chosenLogratios = policyChosen - referenceChosen;                           // [B]
        var rejectedLogratios = policyRejected - referenceRejected;                     // [B]
        var perPair = lossType switch                                                   // [B]
        {
            Sigmoid => -(1 - labelSmoothing) * nn.functional.logsigmoid(beta * (chosenLogratios - rejectedLogratios))
                       - labelSmoothing * nn.functional.logsigmoid(-beta * (chosenLogratios - rejectedLogratios)),
            Ipo => (chosenLogratios / chosenTokens.clamp_min(1) - rejectedLogratios / rejectedTokens.clamp_min(1) - 1 / (2 * beta)).square(),
            _ => throw new ArgumentException($"unknown DPO loss '{lossType}', expected sigmoid or ipo", nameof(lossType)),
        };
        var loss = perPair.mean();
        var chosenRewards = (beta * chosenLogratios).detach();
        var rejectedRewards = (beta * rejectedLogratios).detach();
        return new DpoLossTerms(scope.MoveToOuter(loss), scope.MoveToOuter(chosenRewards), scope.MoveToOuter(rejectedRewards));
    }

    /// <summary>The same on numbers (float64): the loss and each pair's implicit rewards.</summary>
    public static (double Loss, double[] ChosenRewards, double[] RejectedRewards) Compute(double[] policyChosen, double[] policyRejected,
        double[] referenceChosen, double[] referenceRejected, double[] chosenTokens, double[] rejectedTokens, double beta, string lossType, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        Tensor T(double[] x) => tensor(x, ScalarType.Float64);
        var terms = Compute(T(policyChosen), T(policyRejected), T(referenceChosen), T(referenceRejected), T(chosenTokens), T(rejectedTokens),
            beta, lossType, labelSmoothing);
        return (terms.Loss.item<double>(), terms.ChosenRewards.data<double>().ToArray(), terms.RejectedRewards.data<double>().ToArray());
    }
}
