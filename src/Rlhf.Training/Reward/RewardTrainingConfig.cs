using System.Text.Json.Serialization;
using Rlhf.Training.Lora;
using System.Globalization;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Reward;

/// <summary>
/// Settings of a reward-model run (<see cref="RewardTrainer"/>). Defaults follow DESIGN.md and TRL's
/// RewardConfig: 1 epoch, AdamW (betas 0.9/0.999, eps 1e-5, weight decay on 2-D weights only), cosine schedule
/// with optional linear warm-up, gradient clipping at 1.0, dropout off (the model has none).
/// The CLI option of each setting is named in <see cref="Validate"/>'s messages.
/// </summary>
public sealed record RewardTrainingConfig
{
    /// <summary>--compute-dtype: the dtype of the models' matmuls, "float32" or "bf16" (float32 master weights, float32 norms,
    /// softmax and losses; see <see cref="Models.ComputePrecision"/>).</summary>
    public string ComputeDtype { get; init; } = "float32";

    /// <summary>--epochs: passes over the training split.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>--lr: peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>--batch-pairs: preference pairs per optimizer step (2x as many sequences in the forward pass).</summary>
    public int BatchPairs { get; init; } = 8;

    /// <summary>--max-length: tokens per rendered prompt+response; longer ones keep their END (the response).
    /// Capped at the model's n_positions.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>--weight-decay: AdamW decoupled weight decay, applied to 2-D weights only (not biases, not LayerNorm).</summary>
    public double WeightDecay { get; init; } = 0.0;

    /// <summary>--adam-eps.</summary>
    public double AdamEpsilon { get; init; } = 1e-5;

    /// <summary>--warmup-ratio: share of the steps with a linear warm-up (ceil(ratio x steps) steps).</summary>
    public double WarmupRatio { get; init; } = 0.0;

    /// <summary>--max-grad-norm: global L2 norm gradients are clipped to; 0 turns clipping off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>--margin: subtract each pair's <see cref="PreferencePair.Margin"/> inside the log-sigmoid.</summary>
    public bool UseMargin { get; init; }

    /// <summary>--center-rewards-coefficient: adds coef x mean((r_c + r_r)^2) to the loss (TRL's center_rewards_coefficient).</summary>
    public double? CenterRewardsCoefficient { get; init; }

    /// <summary>--validation-fraction: share of the pairs held out (whole groups); 0 = no validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>--eval-every: evaluate on the validation split every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 20;

    /// <summary>--checkpoint-every: save a resumable checkpoint every this many steps (when a checkpoint folder is given).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>--seed: the score-head init, the train/validation split and the data order.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>The optimizer steps of a run on <paramref name="trainPairs"/> training pairs: every epoch visits them in
    /// batches of <see cref="BatchPairs"/>, the last one possibly smaller (as the trainer's data order does).</summary>
    public long TotalSteps(int trainPairs) => (long)Epochs * ((trainPairs + BatchPairs - 1) / BatchPairs);

    /// <summary>--lora-r, --lora-alpha, --lora-dropout, --lora-targets, --lora-train-score-head: train a LoRA adapter
    /// (and optionally the score head) on the frozen base instead of every weight; null = full fine-tuning.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]   // checkpoints written before LoRA keep their legacy config hash
    public LoraConfig? Lora { get; init; }

    /// <summary>Every problem of these settings, each one sentence naming the CLI option; empty when usable.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.ToString()).ToList();

    /// <summary>Every problem of these settings, each with the property and the CLI option it belongs to; empty when usable.</summary>
    public IReadOnlyList<ConfigProblem> Problems()
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var problems = new List<ConfigProblem>();
        if (Epochs < 1) problems.Add(new(nameof(Epochs), "--epochs", $"must be >= 1 (got {Epochs})"));
        AdamWChecks.AddLearningRate(problems, LearningRate);
        if (BatchPairs < 1) problems.Add(new(nameof(BatchPairs), "--batch-pairs", $"must be >= 1 (got {BatchPairs})"));
        if (MaxLength < 4) problems.Add(new(nameof(MaxLength), "--max-length", $"must be >= 4 (got {MaxLength})"));
        AdamWChecks.AddWeightDecay(problems, WeightDecay);
        AdamWChecks.AddAdamEpsilon(problems, AdamEpsilon);
        AdamWChecks.AddWarmupRatio(problems, WarmupRatio);
        AdamWChecks.AddMaxGradNorm(problems, MaxGradNorm);
        if (CenterRewardsCoefficient is double c && (!(c >= 0) || double.IsInfinity(c)))
            problems.Add(new(nameof(CenterRewardsCoefficient), "--center-rewards-coefficient", $"must be >= 0 (got {F(c)})"));
        PreferenceSplit.AddFractionProblem(problems, ValidationFraction);
        if (EvalEvery < 1) problems.Add(new(nameof(EvalEvery), "--eval-every", $"must be >= 1 (got {EvalEvery})"));
        if (CheckpointEvery < 1) problems.Add(new(nameof(CheckpointEvery), "--checkpoint-every", $"must be >= 1 (got {CheckpointEvery})"));
        Models.ComputePrecision.AddProblem(problems, ComputeDtype);
        LoraConfig.AddProblems(problems, Lora);
        return problems;
    }
}
