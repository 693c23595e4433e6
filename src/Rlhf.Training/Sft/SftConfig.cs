using Rlhf.Training.Lora;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;

namespace Rlhf.Training.Sft;

/// <summary>
/// Settings of a supervised fine-tuning run (<see cref="SftTrainer"/>). Defaults follow TRL's SFTConfig where it has
/// one: learning rate 2e-5, max_length 1024 (capped at the model's positions), completion-only loss, packing off,
/// AdamW (betas 0.9/0.999, eps 1e-8, weight decay 0 on 2-D weights only), linear warm-up then cosine decay, clipping at
/// 1.0. With <see cref="Lora"/> only the adapters train (the base stays frozen) and the learning rate is usually higher
/// (TRL's LoRA examples use 2e-4). The CLI option of each setting is named in <see cref="Problems"/>.
/// </summary>
public sealed record SftConfig
{
    /// <summary>--epochs: passes over the training split.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>--lr: peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>--batch-size: sequences (or packed rows) per optimizer step.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>--max-length: tokens per sequence (capped at the model's positions); longer ones lose their end.</summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>--packing: several examples per row of max-length tokens (whole examples, first fit in data order).</summary>
    public bool Packing { get; init; }

    /// <summary>--weight-decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>--adam-eps.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>--warmup-ratio: share of the steps with a linear warm-up.</summary>
    public double WarmupRatio { get; init; }

    /// <summary>--max-grad-norm: global L2 norm gradients are clipped to; 0 turns clipping off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>--validation-fraction: share of the examples held out (whole prompts); 0 = no validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>--eval-every: evaluate on the validation split every this many steps (and after the last).</summary>
    public int EvalEvery { get; init; } = 20;

    /// <summary>--sample-every: generate replies to the fixed validation prompts every this many steps (and after the last); 0 = never.</summary>
    public int SampleEvery { get; init; } = 50;

    /// <summary>--sample-prompts: how many validation prompts (the first ones) samples are generated from.</summary>
    public int SamplePrompts { get; init; } = 4;

    /// <summary>--sample-max-new-tokens.</summary>
    public int SampleMaxNewTokens { get; init; } = 48;

    /// <summary>--checkpoint-every: save a resumable checkpoint every this many steps (when a checkpoint folder is given).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>--seed: the split, the data order and the LoRA initialisation.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>--lora-r, --lora-alpha, --lora-dropout, --lora-targets: train a LoRA adapter instead of every weight; null = full fine-tuning.</summary>
    public LoraConfig? Lora { get; init; }

    /// <summary>Every problem, each one sentence naming the CLI option; empty when usable.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.ToString()).ToList();

    public IReadOnlyList<ConfigProblem> Problems()
    {
        var problems = new List<ConfigProblem>();
        if (Epochs < 1) problems.Add(new(nameof(Epochs), "--epochs", $"must be >= 1 (got {Epochs})"));
        AdamWChecks.AddLearningRate(problems, LearningRate);
        if (BatchSize < 1) problems.Add(new(nameof(BatchSize), "--batch-size", $"must be >= 1 (got {BatchSize})"));
        if (MaxLength < 4) problems.Add(new(nameof(MaxLength), "--max-length", $"must be >= 4 (got {MaxLength})"));
        AdamWChecks.AddWeightDecay(problems, WeightDecay);
        AdamWChecks.AddAdamEpsilon(problems, AdamEpsilon);
        AdamWChecks.AddWarmupRatio(problems, WarmupRatio);
        AdamWChecks.AddMaxGradNorm(problems, MaxGradNorm);
        PreferenceSplit.AddFractionProblem(problems, ValidationFraction);
        if (EvalEvery < 1) problems.Add(new(nameof(EvalEvery), "--eval-every", $"must be >= 1 (got {EvalEvery})"));
        if (SampleEvery < 0) problems.Add(new(nameof(SampleEvery), "--sample-every", $"must be >= 0, 0 = never (got {SampleEvery})"));
        if (SamplePrompts < 0) problems.Add(new(nameof(SamplePrompts), "--sample-prompts", $"must be >= 0 (got {SamplePrompts})"));
        if (SampleMaxNewTokens < 1) problems.Add(new(nameof(SampleMaxNewTokens), "--sample-max-new-tokens", $"must be >= 1 (got {SampleMaxNewTokens})"));
        if (CheckpointEvery < 1) problems.Add(new(nameof(CheckpointEvery), "--checkpoint-every", $"must be >= 1 (got {CheckpointEvery})"));
        LoraConfig.AddProblems(problems, Lora);
        return problems;
    }
}
