namespace Rlhf.Training.Sft;

/// <summary>
/// The numbers logged after one optimizer step, named as TRL's SFTTrainer logs them.
/// <para>Every step: "loss" (mean next-token cross-entropy over the batch's loss tokens), "mean_token_accuracy" (share
/// of those tokens the argmax predicts), "num_tokens" (real tokens trained on so far, prompts included), "grad_norm"
/// (before clipping), "learning_rate" (the rate the step used) and "epoch".</para>
/// <para>At each evaluation (every <see cref="SftConfig.EvalEvery"/> steps and after the last, with validation
/// examples): "eval_loss" and "eval_mean_token_accuracy", token-weighted over the validation split.</para>
/// </summary>
/// <param name="Step">Optimizer steps done (1-based).</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
public sealed record SftMetrics(long Step, long TotalSteps, double Epoch, IReadOnlyDictionary<string, double> Values);
