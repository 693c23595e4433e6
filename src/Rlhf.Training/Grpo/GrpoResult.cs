namespace Rlhf.Training.Grpo;

/// <summary>
/// Summary of a finished GRPO run: the number of updates, the mean reward of the first and last update and the kl of
/// the last (NaN when beta is 0: no reference, no kl). FirstMeanReward survives a resume (it is kept in the checkpoint).
/// </summary>
public sealed record GrpoResult(long Steps, double FirstMeanReward, double LastMeanReward, double LastKl);
