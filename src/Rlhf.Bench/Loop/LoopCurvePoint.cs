namespace Rlhf.Bench.Loop;

/// <summary>
/// One point of the PPO run in `rlhf bench loop`: KL from the reference (objective/kl, nats), the reward model's mean
/// score of the rollouts (proxy, objective/scores) and the judge's mean score of the same rollouts (gold).
/// </summary>
public sealed record LoopCurvePoint(long Step, double Kl, double SqrtKl, double Proxy, double Gold);
