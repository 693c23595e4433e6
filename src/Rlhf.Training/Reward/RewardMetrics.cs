namespace Rlhf.Training.Reward;

/// <summary>
/// The numbers logged after one optimizer step, named as TRL's RewardTrainer logs them.
/// <para>Every step: "train/loss", "train/accuracy", "train/margin", "train/mean_reward", "train/min_reward",
/// "train/max_reward" (of that step's batch, computed in its forward pass, before the update), "grad_norm"
/// (before clipping), "lr" (the rate the step used) and "epoch" (fractional, = <see cref="Epoch"/>).</para>
/// <para>At each evaluation (every <see cref="RewardTrainingConfig.EvalEvery"/> steps and after the last step,
/// when there are validation pairs) also "eval/loss", "eval/accuracy", "eval/margin", "eval/mean_reward",
/// "eval/min_reward", "eval/max_reward". The record of the last step is sent after the reward shift: its eval/*
/// numbers are those of the saved model, and it carries "reward_shift" (the amount added to every reward).</para>
/// </summary>
/// <param name="Step">Optimizer steps done (1-based, as HF's global_step).</param>
/// <param name="Epoch">Step / steps per epoch.</param>
public sealed record RewardMetrics(long Step, double Epoch, IReadOnlyDictionary<string, double> Values);
