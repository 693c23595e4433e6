namespace Rlhf.Training.Reward;

/// <summary>The rewards the final (shifted, saved) model gives one validation pair.</summary>
/// <param name="PairIndex">Index of the pair in the list given to <see cref="RewardTrainer.Train"/>.</param>
public sealed record ValidationPairResult(int PairIndex, double ChosenReward, double RejectedReward)
{
    /// <summary>True when the model agrees with the raters (chosen scored strictly higher).</summary>
    public bool Correct => ChosenReward > RejectedReward;
}
