namespace Rlhf.Training.Ppo;

/// <summary>
/// The metrics of one PPO update, with TRL's names (see <see cref="PpoTrainer"/> for each one's definition).
/// <see cref="Step"/> is 1-based (TRL's global_step after the update); <see cref="Episode"/> = Step x BatchSize.
/// </summary>
public sealed record PpoMetrics(long Step, long Episode, IReadOnlyDictionary<string, double> Values);
