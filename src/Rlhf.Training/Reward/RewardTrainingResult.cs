namespace Rlhf.Training.Reward;

/// <summary>What a finished <see cref="RewardTrainer.Train"/> reports.</summary>
/// <param name="Steps">Optimizer steps of the whole run (including those done before a resume).</param>
/// <param name="FinalValidationAccuracy">Share of validation pairs with r_chosen &gt; r_rejected, by the saved
/// model; NaN when there are no validation pairs.</param>
/// <param name="FinalValidationLoss">The training loss (with margin and centering terms when configured) on the
/// validation pairs, by the saved model; NaN when there are no validation pairs.</param>
/// <param name="RewardShift">The amount added to every reward after training (= -mean reward of the training
/// split's chosen and rejected responses before the shift), see <see cref="RewardCentering"/>.</param>
/// <param name="Validation">Rewards of every validation pair by the saved model, in input order.</param>
public sealed record RewardTrainingResult(long Steps, double FinalValidationAccuracy, double FinalValidationLoss, double RewardShift,
    int TrainPairs, int ValidationPairs, IReadOnlyList<ValidationPairResult> Validation);
