namespace Rlhf.Training.Reward;

/// <summary>Numbers of one optimizer step (of its batch, before the update).</summary>
public sealed record RewardStepStats(double Loss, double Accuracy, double Margin, double MeanReward, double MinReward,
    double MaxReward, double GradNorm);
