namespace Rlhf.Training.Dpo;

/// <summary>
/// The numbers logged after one optimizer step, TRL's DPOTrainer names: "train/loss", "train/rewards/chosen",
/// "train/rewards/rejected", "train/rewards/accuracies", "train/rewards/margins", "train/logps/chosen", "train/logps/rejected",
/// "train/logits/chosen", "train/logits/rejected" (that step's batch, before the update), "grad_norm", "lr", "epoch";
/// at each evaluation (every EvalEvery steps and after the last, when there are validation pairs) the same nine under "eval/".
/// </summary>
/// <param name="Step">Optimizer steps done (1-based).</param>
public sealed record DpoMetrics(long Step, double Epoch, IReadOnlyDictionary<string, double> Values);
