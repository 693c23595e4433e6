using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// The Bradley-Terry pairwise loss of TRL's RewardTrainer:
/// <c>loss = -log sigmoid(r_c - r_r - m).mean()</c>, with m the pair's margin (only when margins are given),
/// plus <c>coef x mean((r_c + r_r)^2)</c> when a center-rewards coefficient is given.
/// At equal rewards the loss is ln 2 = 0.6931.
/// </summary>
public static class RewardLoss
{
    /// <param name="rChosen">[B] rewards of the chosen responses</param>
    /// <param name="rRejected">[B] rewards of the rejected responses</param>
    /// <param name="margins">[B] margins, or null for none</param>
    /// <param name="centerCoefficient">TRL's center_rewards_coefficient, or null for none</param>
    public static RewardLossTerms Compute(Tensor rChosen, Tensor rRejected, Tensor? margins = null, double? centerCoefficient = null)
    {
        if (rChosen.shape.Length != 1 || !rChosen.shape.SequenceEqual(rRejected.shape))
            throw new ArgumentException($"rewards must be two [B] tensors (got [{string.Join(", ", rChosen.shape)}] and [{string.Join(", ", rRejected.shape)}])");
        if (margins is not null && !margins.shape.SequenceEqual(rChosen.shape))
            throw new ArgumentException($"margins must be [{rChosen.shape[0]}] (got [{string.Join(", ", margins.shape)}])");

        using var scope = NewDisposeScope();
        var diff = rChosen - rRejected;                                             // [B]
        var logits = margins is null ? diff : diff - margins.to_type(diff.dtype);   // [B]
        var loss = -nn.functional.logsigmoid(logits).mean();                        // []
        if (centerCoefficient is double coef)
            loss = loss + coef * (rChosen + rRejected).square().mean();             // []

        using var noGrad = no_grad();
        var accuracy = rChosen.detach().gt(rRejected.detach()).to_type(diff.dtype).mean();   // []
        var margin = diff.detach().mean();                                                     // []
        var mean = (rChosen.detach().mean() + rRejected.detach().mean()) / 2;                // []
        return new RewardLossTerms(scope.MoveToOuter(loss), scope.MoveToOuter(accuracy), scope.MoveToOuter(margin),
            scope.MoveToOuter(mean));
    }

    /// <summary>The same computation on numbers (float64), for evaluation and checks.</summary>
    public static RewardLossValues Compute(double[] rChosen, double[] rRejected, double[]? margins = null, double? centerCoefficient = null)
    {
        ArgumentNullException.ThrowIfNull(rChosen);
        ArgumentNullException.ThrowIfNull(rRejected);
        if (rChosen.Length != rRejected.Length) throw new ArgumentException("chosen and rejected rewards must have the same count");
        if (margins is not null && margins.Length != rChosen.Length) throw new ArgumentException("margins must have one value per pair");
        if (rChosen.Length == 0) return new RewardLossValues(double.NaN, double.NaN, double.NaN, double.NaN);

        using var scope = NewDisposeScope();
        var c = tensor(rChosen, dtype: ScalarType.Float64);
        var r = tensor(rRejected, dtype: ScalarType.Float64);
        var m = margins is null ? null : tensor(margins, dtype: ScalarType.Float64);
        var terms = Compute(c, r, m, centerCoefficient);
        return new RewardLossValues(terms.Loss.item<double>(), terms.Accuracy.item<double>(), terms.Margin.item<double>(),
            terms.MeanReward.item<double>());
    }
}
