using System.Text.Json.Serialization;
using Rlhf.Training.Lora;
using System.Globalization;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;

namespace Rlhf.Training.Dpo;

/// <summary>
/// Settings of a DPO run (<see cref="DpoTrainer"/>), TRL's DPOConfig names and defaults where they fit a small CPU model:
/// beta 0.1, loss "sigmoid" (or "ipo"), label_smoothing 0 (cDPO when &gt; 0), max_length with truncation_mode
/// "keep_start", AdamW (betas 0.9/0.999, eps 1e-8, weight decay on 2-D weights only), cosine schedule with optional
/// warm-up, grad clipping at 1.0. The learning rate defaults to 5e-6, not TRL's 1e-6 (made for billion-parameter
/// models). The CLI option of each setting is named in <see cref="Validate"/>'s messages.
/// </summary>
public sealed record DpoConfig
{
    /// <summary>--beta: the KL strength; the implicit reward is beta x (log pi - log pi_ref).</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>--loss: <see cref="DpoLoss.Sigmoid"/> (DPO) or <see cref="DpoLoss.Ipo"/>.</summary>
    public string LossType { get; init; } = DpoLoss.Sigmoid;

    /// <summary>--label-smoothing: the assumed share of flipped labels (cDPO, sigmoid loss only); 0 = plain DPO.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>--epochs: passes over the training split.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>--lr: peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-6;

    /// <summary>--batch-pairs: preference pairs per optimizer step (2x as many sequences in the forward pass).</summary>
    public int BatchPairs { get; init; } = 8;

    /// <summary>--max-length: tokens of prompt + completion kept (capped at the model's positions), cut as <see cref="TruncationMode"/> says.</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>--max-prompt-length: when set, a longer prompt keeps its last this-many tokens (TRL's older max_prompt_length).</summary>
    public int? MaxPromptLength { get; init; }

    /// <summary>--max-completion-length: when set, a longer completion keeps its first this-many tokens.</summary>
    public int? MaxCompletionLength { get; init; }

    /// <summary>--truncation-mode: "keep_start" (a prompt as long as max_length is skipped: nothing of its completions would be left) or "keep_end".</summary>
    public string TruncationMode { get; init; } = DpoTruncation.KeepStart;

    /// <summary>--weight-decay: AdamW decoupled weight decay, applied to 2-D weights only.</summary>
    public double WeightDecay { get; init; }

    /// <summary>--adam-eps.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>--warmup-ratio: share of the steps with a linear warm-up.</summary>
    public double WarmupRatio { get; init; }

    /// <summary>--max-grad-norm: global L2 norm gradients are clipped to; 0 turns clipping off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>--validation-fraction: share of the pairs held out (whole prompts); 0 = no validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>--eval-every: evaluate on the validation split every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 20;

    /// <summary>--checkpoint-every: save a resumable checkpoint every this many steps (when a checkpoint folder is given).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>--seed: the train/validation split and the data order.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>--lora-r, --lora-alpha, --lora-dropout, --lora-targets: train a LoRA adapter on the frozen policy; the
    /// reference (when it is the policy's start) is then the base with the adapter off. null = full fine-tuning.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]   // checkpoints written before LoRA keep their legacy config hash
    public LoraConfig? Lora { get; init; }

    /// <summary>Every problem of these settings, each one sentence naming the CLI option; empty when usable.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.ToString()).ToList();

    /// <summary>Every problem of these settings, each with the property and the CLI option it belongs to; empty when usable.</summary>
    public IReadOnlyList<ConfigProblem> Problems()
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var problems = new List<ConfigProblem>();
        if (!(Beta > 0) || double.IsInfinity(Beta)) problems.Add(new(nameof(Beta), "--beta", $"must be > 0 (got {F(Beta)})"));
        if (LossType is not (DpoLoss.Sigmoid or DpoLoss.Ipo)) problems.Add(new(nameof(LossType), "--loss", $"must be sigmoid or ipo (got {LossType})"));
        if (!(LabelSmoothing is >= 0 and < 0.5)) problems.Add(new(nameof(LabelSmoothing), "--label-smoothing", $"must be >= 0 and < 0.5 (got {F(LabelSmoothing)})"));
        else if (LabelSmoothing > 0 && LossType == DpoLoss.Ipo) problems.Add(new(nameof(LabelSmoothing), "--label-smoothing", "applies to the sigmoid loss only; set it to 0 for ipo"));
        if (Epochs < 1) problems.Add(new(nameof(Epochs), "--epochs", $"must be >= 1 (got {Epochs})"));
        AdamWChecks.AddLearningRate(problems, LearningRate);
        if (BatchPairs < 1) problems.Add(new(nameof(BatchPairs), "--batch-pairs", $"must be >= 1 (got {BatchPairs})"));
        if (MaxLength < 4) problems.Add(new(nameof(MaxLength), "--max-length", $"must be >= 4 (got {MaxLength})"));
        if (MaxPromptLength is < 1) problems.Add(new(nameof(MaxPromptLength), "--max-prompt-length", $"must be >= 1 (got {MaxPromptLength})"));
        if (MaxCompletionLength is < 1) problems.Add(new(nameof(MaxCompletionLength), "--max-completion-length", $"must be >= 1 (got {MaxCompletionLength})"));
        if (TruncationMode is not (DpoTruncation.KeepStart or DpoTruncation.KeepEnd))
            problems.Add(new(nameof(TruncationMode), "--truncation-mode", $"must be keep_start or keep_end (got {TruncationMode})"));
        AdamWChecks.AddWeightDecay(problems, WeightDecay);
        AdamWChecks.AddAdamEpsilon(problems, AdamEpsilon);
        AdamWChecks.AddWarmupRatio(problems, WarmupRatio);
        AdamWChecks.AddMaxGradNorm(problems, MaxGradNorm);
        PreferenceSplit.AddFractionProblem(problems, ValidationFraction);
        if (EvalEvery < 1) problems.Add(new(nameof(EvalEvery), "--eval-every", $"must be >= 1 (got {EvalEvery})"));
        if (CheckpointEvery < 1) problems.Add(new(nameof(CheckpointEvery), "--checkpoint-every", $"must be >= 1 (got {CheckpointEvery})"));
        LoraConfig.AddProblems(problems, Lora);
        return problems;
    }
}
