namespace Rlhf.Training.Reward;

/// <summary><see cref="RewardLossTerms"/> as numbers (see there for the definitions).</summary>
public sealed record RewardLossValues(double Loss, double Accuracy, double Margin, double MeanReward);
