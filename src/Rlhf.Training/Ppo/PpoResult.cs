namespace Rlhf.Training.Ppo;

/// <summary>
/// Summary of a finished run: the number of updates, objective/scores of the first and last update and
/// objective/kl of the last. FirstMeanScore survives a resume (it is kept in the checkpoint).
/// </summary>
public sealed record PpoResult(long Steps, double FirstMeanScore, double LastMeanScore, double LastKl);
