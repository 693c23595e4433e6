namespace Rlhf.Training.Grpo;

/// <summary>
/// The metrics of one GRPO update, with TRL's names (see <see cref="GrpoTrainer"/> for each one's definition).
/// <see cref="Step"/> is 1-based (TRL's global_step after the update).
/// </summary>
public sealed record GrpoMetrics(long Step, IReadOnlyDictionary<string, double> Values);
