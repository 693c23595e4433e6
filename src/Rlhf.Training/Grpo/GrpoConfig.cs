using System.Text.Json.Serialization;
using Rlhf.Training.Lora;
using System.Globalization;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Grpo;

/// <summary>
/// Settings of a GRPO run (<see cref="GrpoTrainer"/>). Names follow TRL's GRPOConfig (in the comments); the CLI option of
/// each setting is named in <see cref="Problems"/>' messages.
/// <para>Defaults are TRL's except where noted:
/// <list type="bullet">
/// <item><see cref="LearningRate"/> 3e-5 (TRL 1e-6): the platform's models are ~1000x smaller than TRL's examples and
/// trained on a CPU for tens of updates (the same choice as <see cref="Ppo.PpoConfig.LearningRate"/>).</item>
/// <item><see cref="Beta"/> 0.04: TRL's default until v0.19 and DeepSeekMath's (TRL now defaults to 0).</item>
/// <item><see cref="BatchSize"/> 4 prompts x <see cref="NumGenerations"/> 8 and <see cref="MaxCompletionLength"/> 32
/// (TRL 256): small CPU batches.</item>
/// <item>A linear decay of the learning rate to 0 over the run, TRL's default scheduler.</item>
/// </list></para>
/// </summary>
public sealed record GrpoConfig
{
    public const string LossGrpo = "grpo";
    public const string LossDrGrpo = "dr_grpo";
    public const string LossBnpo = "bnpo";

    /// <summary>--steps: GRPO updates (one generation batch each; TRL max_steps).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>--batch: prompts per update; each gets <see cref="NumGenerations"/> completions.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>--group: completions sampled per prompt, the group advantages are normalised in (TRL num_generations, G).</summary>
    public int NumGenerations { get; init; } = 8;

    /// <summary>--iterations: optimisation passes over each generation batch (TRL num_iterations, mu).</summary>
    public int NumIterations { get; init; } = 1;

    /// <summary>--minibatches: gradient steps per pass, the batch's BatchSize x NumGenerations completions shuffled and cut
    /// into this many (TRL steps_per_generation); BatchSize x NumGenerations must be a multiple.</summary>
    public int MiniBatches { get; init; } = 1;

    /// <summary>--lr: AdamW learning rate at the first update (TRL learning_rate).</summary>
    public double LearningRate { get; init; } = 3e-5;

    /// <summary>--lr-scheduler: "linear" (decay to 0 over <see cref="Steps"/>) or "constant" (TRL lr_scheduler_type).</summary>
    public string LrSchedulerType { get; init; } = "linear";

    /// <summary>--max-grad-norm: the L2 norm the policy's gradient is clipped to; 0 = off (TRL max_grad_norm).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>--adam-eps (TRL adam_epsilon).</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>--weight-decay: AdamW decoupled weight decay on 2-D weights (TRL weight_decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>--max-completion-length: tokens generated per completion (TRL max_completion_length).</summary>
    public int MaxCompletionLength { get; init; } = 32;

    /// <summary>--max-prompt-length: rendered prompt tokens kept (the END is kept); also capped at the model's length
    /// minus <see cref="MaxCompletionLength"/> (TRL max_prompt_length).</summary>
    public int MaxPromptLength { get; init; } = 128;

    /// <summary>--temperature: sampling temperature; log-probs are those of logits / temperature (TRL temperature).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>--stop-token-id: completions stop at, and are truncated after, the first of this token (kept); null = the
    /// policy's first EOS id (TRL stops at the tokenizer's EOS).</summary>
    public int? StopTokenId { get; init; }

    /// <summary>--missing-eos-penalty: subtracted from the reward of completions without the stop token, before the group
    /// advantages (as PPO's); null = none.</summary>
    public double? MissingEosPenalty { get; init; }

    /// <summary>--beta: weight of the k3 KL to the reference in the loss (TRL beta); 0 = no KL term and no reference model.</summary>
    public double Beta { get; init; } = 0.04;

    /// <summary>--epsilon: lower clip of the ratio, 1 - epsilon (TRL epsilon).</summary>
    public double Epsilon { get; init; } = 0.2;

    /// <summary>--epsilon-high: upper clip of the ratio, 1 + epsilon_high; null = <see cref="Epsilon"/> (TRL epsilon_high, DAPO's clip-higher).</summary>
    public double? EpsilonHigh { get; init; }

    /// <summary>--scale-rewards: divide the group-centred rewards by the group's standard deviation (TRL scale_rewards
    /// "group"; false is Dr. GRPO's "none").</summary>
    public bool ScaleRewards { get; init; } = true;

    /// <summary>--loss-type: how per-token losses become one number (TRL loss_type): "grpo" (mean over each completion's
    /// tokens, then over completions), "bnpo" (mean over all tokens of the batch), "dr_grpo" (sum over all tokens divided
    /// by completions x max_completion_length).</summary>
    public string LossType { get; init; } = LossGrpo;

    /// <summary>--sample-every: send the samples table at update 1, 1 + N, 1 + 2N, ... and at the last update.</summary>
    public int SampleEvery { get; init; } = 10;

    /// <summary>--checkpoint-every: save a resumable checkpoint every N updates (when a checkpoint folder is given).</summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>--seed: prompt order, sampling and minibatch shuffles (TRL seed).</summary>
    public long Seed { get; init; } = 42;

    /// <summary>The upper clip actually used: <see cref="EpsilonHigh"/> or <see cref="Epsilon"/>.</summary>
    public double EffectiveEpsilonHigh => EpsilonHigh ?? Epsilon;

    /// <summary>Completions per update = BatchSize x NumGenerations.</summary>
    public int CompletionsPerStep => BatchSize * NumGenerations;

    /// <summary>--lora-r, --lora-alpha, --lora-dropout, --lora-targets: a LoRA adapter on the policy; the reference is the
    /// base with the adapter off. null = full fine-tuning.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]   // checkpoints written before LoRA keep their legacy config hash
    public LoraConfig? Lora { get; init; }

    /// <summary>Every problem of these settings, each one sentence naming the CLI option; empty when usable.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.ToString()).ToList();

    /// <summary>Every problem of these settings, each with the property and the CLI option it belongs to; empty when usable.</summary>
    public IReadOnlyList<ConfigProblem> Problems()
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        static bool Finite(double x) => double.IsFinite(x);
        var problems = new List<ConfigProblem>();
        if (Steps < 1) problems.Add(new(nameof(Steps), "--steps", $"must be >= 1 (got {Steps})"));
        if (BatchSize < 1) problems.Add(new(nameof(BatchSize), "--batch", $"must be >= 1 (got {BatchSize})"));
        if (NumGenerations < 2) problems.Add(new(nameof(NumGenerations), "--group", $"must be >= 2: advantages compare the completions of one prompt (got {NumGenerations})"));
        if (NumIterations < 1) problems.Add(new(nameof(NumIterations), "--iterations", $"must be >= 1 (got {NumIterations})"));
        if (MiniBatches < 1) problems.Add(new(nameof(MiniBatches), "--minibatches", $"must be >= 1 (got {MiniBatches})"));
        else if (BatchSize >= 1 && NumGenerations >= 2 && CompletionsPerStep % MiniBatches != 0)
            problems.Add(new(nameof(MiniBatches), "--minibatches", $"({MiniBatches}) must divide --batch x --group ({CompletionsPerStep})"));
        AdamWChecks.AddLearningRate(problems, LearningRate);
        if (LrSchedulerType is not ("linear" or "constant")) problems.Add(new(nameof(LrSchedulerType), "--lr-scheduler", $"must be linear or constant (got {LrSchedulerType})"));
        AdamWChecks.AddMaxGradNorm(problems, MaxGradNorm);
        AdamWChecks.AddAdamEpsilon(problems, AdamEpsilon);
        AdamWChecks.AddWeightDecay(problems, WeightDecay);
        if (MaxCompletionLength < 1) problems.Add(new(nameof(MaxCompletionLength), "--max-completion-length", $"must be >= 1 (got {MaxCompletionLength})"));
        if (MaxPromptLength < 1) problems.Add(new(nameof(MaxPromptLength), "--max-prompt-length", $"must be >= 1 (got {MaxPromptLength})"));
        if (!(Temperature > 0) || !Finite(Temperature)) problems.Add(new(nameof(Temperature), "--temperature", $"must be > 0 (got {F(Temperature)})"));
        if (StopTokenId is < 0) problems.Add(new(nameof(StopTokenId), "--stop-token-id", $"must be a token id >= 0 (got {StopTokenId})"));
        if (MissingEosPenalty is double p && (!(p >= 0) || !Finite(p))) problems.Add(new(nameof(MissingEosPenalty), "--missing-eos-penalty", $"must be >= 0 (got {F(p)})"));
        if (!(Beta >= 0) || !Finite(Beta)) problems.Add(new(nameof(Beta), "--beta", $"must be >= 0, 0 turns the KL term off (got {F(Beta)})"));
        if (!(Epsilon is > 0 and < 1)) problems.Add(new(nameof(Epsilon), "--epsilon", $"must be in (0, 1) (got {F(Epsilon)})"));
        if (EpsilonHigh is double eh && (!(eh > 0) || !Finite(eh))) problems.Add(new(nameof(EpsilonHigh), "--epsilon-high", $"must be > 0 (got {F(eh)})"));
        if (LossType is not (LossGrpo or LossDrGrpo or LossBnpo)) problems.Add(new(nameof(LossType), "--loss-type", $"must be grpo, dr_grpo or bnpo (got {LossType})"));
        if (SampleEvery < 1) problems.Add(new(nameof(SampleEvery), "--sample-every", $"must be >= 1 (got {SampleEvery})"));
        if (CheckpointEvery < 1) problems.Add(new(nameof(CheckpointEvery), "--checkpoint-every", $"must be >= 1 (got {CheckpointEvery})"));
        LoraConfig.AddProblems(problems, Lora);
        return problems;
    }
}
