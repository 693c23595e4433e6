namespace Rlhf.Training.Pretraining;

/// <summary>
/// One progress report of <see cref="Pretrainer"/>. Loss is the mean next-token cross-entropy (nats) of this
/// step's batch; TokensPerSecond counts predicted (non-padding) tokens since the previous report.
/// </summary>
public sealed record PretrainProgress(
    int Step,
    int Steps,
    double Loss,
    double LearningRate,
    double GradNorm,
    double TokensPerSecond,
    double ElapsedSeconds);
