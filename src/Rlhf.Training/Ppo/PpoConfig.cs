using System.Text.Json.Serialization;
using Rlhf.Training.Lora;
using System.Globalization;
using Rlhf.Training.Optim;

namespace Rlhf.Training.Ppo;

/// <summary>
/// Settings of a PPO run (<see cref="PpoTrainer"/>). Names follow TRL's PPOConfig (in the comments); the CLI option of
/// each setting is named in <see cref="Validate"/>'s messages.
/// <para>Defaults are TRL's and "The N+ Implementation Details of RLHF with PPO" (Huang et al.) except where noted:
/// <list type="bullet">
/// <item><see cref="LearningRate"/> 3e-5: TRL's examples use 3e-6 for 1B-parameter Pythia models; the platform's
/// models are ~1000x smaller and trained on a CPU for tens to hundreds of updates, so the default is 10x larger.
/// Tiny test models need ~1e-3.</item>
/// <item><see cref="MiniBatches"/> 2 (TRL 1) and <see cref="ResponseLength"/> 32 (TRL 53): small CPU batches.</item>
/// <item><see cref="AdamEpsilon"/> 1e-5 (Huang et al.; TRL inherits 1e-8 from TrainingArguments).</item>
/// <item>A linear decay of the learning rate to 0 over the run: what TRL inherits from TrainingArguments
/// (lr_scheduler_type "linear", no warm-up).</item>
/// <item><see cref="MaxGradNorm"/>: TRL's PPO loop never clips gradients (TrainingArguments' max_grad_norm is not
/// used by it); here each model's gradient is clipped on its own (see <see cref="MaxGradNorm"/>).</item>
/// <item><see cref="RewardNormalization"/> on the initial policy's samples, as lm-human-preferences (TRL has none).</item>
/// </list></para>
/// </summary>
public sealed record PpoConfig
{
    /// <summary>--steps: PPO updates (TRL num_total_batches = total_episodes / batch_size).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>--batch: rollouts (prompts) per update (TRL batch_size).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>--minibatches: minibatches each batch is split into (TRL num_mini_batches); BatchSize must be a multiple.</summary>
    public int MiniBatches { get; init; } = 2;

    /// <summary>--ppo-epochs: passes over each batch (TRL num_ppo_epochs), each with a fresh shuffle.</summary>
    public int PpoEpochs { get; init; } = 4;

    /// <summary>--lr: AdamW learning rate at the first update (TRL learning_rate).</summary>
    public double LearningRate { get; init; } = 3e-5;

    /// <summary>--lr-scheduler: "linear" (decay to 0 over <see cref="Steps"/>, TRL's default) or "constant" (TRL lr_scheduler_type).</summary>
    public string LrSchedulerType { get; init; } = "linear";

    /// <summary>--max-grad-norm: the L2 norm the policy's gradient and, separately, the value model's gradient are clipped
    /// to; 0 = off (TRL's PPO loop does not clip).</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>--adam-eps (TRL adam_epsilon).</summary>
    public double AdamEpsilon { get; init; } = 1e-5;

    /// <summary>--weight-decay: AdamW decoupled weight decay on 2-D weights (TRL weight_decay, 0 by default).</summary>
    public double WeightDecay { get; init; }

    /// <summary>--response-length: tokens generated per response (TRL response_length).</summary>
    public int ResponseLength { get; init; } = 32;

    /// <summary>--temperature: sampling temperature; log-probs are those of logits / temperature (TRL temperature).</summary>
    public double Temperature { get; init; } = 0.7;

    /// <summary>--stop-token-id: responses stop at, and are truncated after, the first of this token (kept); null = no stop
    /// token (TRL stop_token_id; 50256 = GPT-2's EOS, TRL's stop_token "eos").</summary>
    public int? StopTokenId { get; init; } = 50256;

    /// <summary>--missing-eos-penalty: subtracted from the score of responses without EOS (TRL missing_eos_penalty); null = none.</summary>
    public double? MissingEosPenalty { get; init; }

    /// <summary>--kl-estimator: "k1" (logp - ref_logp) or "k3" ((r - 1) - log r, r = exp(ref_logp - logp)) (TRL kl_estimator).
    /// Both estimate KL(pi || ref) without bias, but only k1 as a reward makes the KL-regularised optimum
    /// pi_ref exp(score / beta) / Z the policy gradient's fixed point; with k3 the policy leans past it towards the
    /// highest-scoring responses (Tang and Munos 2025; measured on a bandit in PpoBanditTests). k1 is the default.</summary>
    public string KlEstimator { get; init; } = "k1";

    /// <summary>--kl-coef: beta of the per-token KL penalty (TRL kl_coef); the initial value when adaptive.</summary>
    public double KlCoef { get; init; } = 0.05;

    /// <summary>--adaptive-kl: Ziegler et al.'s adaptive controller (TRL's former adap_kl_ctrl) steers beta towards <see cref="TargetKl"/>.</summary>
    public bool AdaptiveKl { get; init; }

    /// <summary>--target-kl: the KL (nats per response, objective/kl) the adaptive controller aims at (TRL's former target).</summary>
    public double TargetKl { get; init; } = 6.0;

    /// <summary>--horizon: the adaptive controller's horizon in episodes (TRL's former horizon).</summary>
    public double Horizon { get; init; } = 10000;

    /// <summary>--gamma: discount (TRL gamma).</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>--lam: GAE lambda (TRL lam).</summary>
    public double Lam { get; init; } = 0.95;

    /// <summary>--cliprange: policy ratio clip range (TRL cliprange).</summary>
    public double ClipRange { get; init; } = 0.2;

    /// <summary>--cliprange-value: value clip range around the rollout values (TRL cliprange_value).</summary>
    public double ClipRangeValue { get; init; } = 0.2;

    /// <summary>--vf-coef: weight of the value loss (TRL vf_coef).</summary>
    public double VfCoef { get; init; } = 0.1;

    /// <summary>--whiten-rewards: whiten the per-token rewards (without shifting their mean) before GAE (TRL whiten_rewards).</summary>
    public bool WhitenRewards { get; init; }

    /// <summary>The value of <see cref="RewardNormalization"/> that normalises scores on the initial policy's samples.</summary>
    public const string NormalizeOnInitialPolicy = "initial_policy";

    /// <summary>The value of <see cref="RewardNormalization"/> that leaves the scores as the reward model gives them.</summary>
    public const string NoNormalization = "none";

    /// <summary>
    /// --reward-normalization: "initial_policy" (default; lm-human-preferences' normalize_before): scores are shifted and
    /// scaled so that those of the initial policy's own samples on the training prompts have mean 0 and std 1
    /// (<see cref="ScoreNormalization"/>); "none": the scores as the reward model gives them (centred by the reward trainer
    /// on the preference data's responses).
    /// </summary>
    public string RewardNormalization { get; init; } = NormalizeOnInitialPolicy;

    /// <summary>--reward-normalization-samples: responses of the initial policy the normalisation is measured on (lm-human-preferences: normalize_samples), rounded up to whole batches.</summary>
    public int RewardNormalizationSamples { get; init; } = 64;

    /// <summary>--sample-every: send the samples table at update 1, 1 + N, 1 + 2N, ... and at the last update.</summary>
    public int SampleEvery { get; init; } = 10;

    /// <summary>--checkpoint-every: save a resumable checkpoint every N updates (when a checkpoint folder is given).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>--seed: prompt order, sampling and minibatch shuffles (TRL seed).</summary>
    public long Seed { get; init; } = 42;

    /// <summary>--max-prompt-length: rendered prompt tokens kept (the END is kept); also capped at n_positions - ResponseLength.</summary>
    public int MaxPromptLength { get; init; } = 128;

    /// <summary>Total episodes of the run (TRL total_episodes) = Steps x BatchSize.</summary>
    public long TotalEpisodes => (long)Steps * BatchSize;

    /// <summary>Rollouts per minibatch (TRL mini_batch_size) = BatchSize / MiniBatches.</summary>
    public int MiniBatchSize => MiniBatches > 0 ? BatchSize / MiniBatches : 0;

    /// <summary>--compute-dtype: the dtype of the four models' matmuls, "float32" or "bf16" (float32 master weights, float32 norms,
    /// softmax and losses; see <see cref="Models.ComputePrecision"/>).</summary>
    public string ComputeDtype { get; init; } = "float32";

    /// <summary>--lora-r, --lora-alpha, --lora-dropout, --lora-targets: LoRA adapters on the policy and on the value model
    /// (whose score head always trains); ref_policy is the policy's base with the adapter off. null = full fine-tuning.</summary>
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
        if (BatchSize < 2) problems.Add(new(nameof(BatchSize), "--batch", $"must be >= 2 (got {BatchSize})"));
        if (MiniBatches < 1) problems.Add(new(nameof(MiniBatches), "--minibatches", $"must be >= 1 (got {MiniBatches})"));
        else if (BatchSize >= 2 && (BatchSize % MiniBatches != 0 || BatchSize / MiniBatches < 1))
            problems.Add(new(nameof(BatchSize), "--batch", $"must be a multiple of the number of minibatches, {MiniBatches} (got {BatchSize})",
                $"({BatchSize}) must be a multiple of --minibatches ({MiniBatches})"));
        if (PpoEpochs < 1) problems.Add(new(nameof(PpoEpochs), "--ppo-epochs", $"must be >= 1 (got {PpoEpochs})"));
        AdamWChecks.AddLearningRate(problems, LearningRate);
        if (LrSchedulerType is not ("linear" or "constant")) problems.Add(new(nameof(LrSchedulerType), "--lr-scheduler", $"must be linear or constant (got {LrSchedulerType})"));
        AdamWChecks.AddMaxGradNorm(problems, MaxGradNorm);
        AdamWChecks.AddAdamEpsilon(problems, AdamEpsilon);
        AdamWChecks.AddWeightDecay(problems, WeightDecay);
        if (ResponseLength < 1) problems.Add(new(nameof(ResponseLength), "--response-length", $"must be >= 1 (got {ResponseLength})"));
        if (!(Temperature > 0) || !Finite(Temperature)) problems.Add(new(nameof(Temperature), "--temperature", $"must be > 0 (got {F(Temperature)})"));
        if (StopTokenId is < 0) problems.Add(new(nameof(StopTokenId), "--stop-token-id", $"must be a token id >= 0 (got {StopTokenId})"));
        if (MissingEosPenalty is double p && (!(p >= 0) || !Finite(p))) problems.Add(new(nameof(MissingEosPenalty), "--missing-eos-penalty", $"must be >= 0 (got {F(p)})"));
        if (KlEstimator is not ("k1" or "k3")) problems.Add(new(nameof(KlEstimator), "--kl-estimator", $"must be k1 or k3 (got {KlEstimator})"));
        if (!(KlCoef >= 0) || !Finite(KlCoef)) problems.Add(new(nameof(KlCoef), "--kl-coef", $"must be >= 0 (got {F(KlCoef)})"));
        if (AdaptiveKl && (!(TargetKl > 0) || !Finite(TargetKl))) problems.Add(new(nameof(TargetKl), "--target-kl", $"must be > 0 (got {F(TargetKl)})"));
        if (AdaptiveKl && (!(Horizon > 0) || !Finite(Horizon))) problems.Add(new(nameof(Horizon), "--horizon", $"must be > 0 (got {F(Horizon)})"));
        if (!(Gamma is >= 0 and <= 1)) problems.Add(new(nameof(Gamma), "--gamma", $"must be in [0, 1] (got {F(Gamma)})"));
        if (!(Lam is >= 0 and <= 1)) problems.Add(new(nameof(Lam), "--lam", $"must be in [0, 1] (got {F(Lam)})"));
        if (!(ClipRange > 0) || !Finite(ClipRange)) problems.Add(new(nameof(ClipRange), "--cliprange", $"must be > 0 (got {F(ClipRange)})"));
        if (!(ClipRangeValue > 0) || !Finite(ClipRangeValue)) problems.Add(new(nameof(ClipRangeValue), "--cliprange-value", $"must be > 0 (got {F(ClipRangeValue)})"));
        if (!(VfCoef >= 0) || !Finite(VfCoef)) problems.Add(new(nameof(VfCoef), "--vf-coef", $"must be >= 0 (got {F(VfCoef)})"));
        if (RewardNormalization is not (NormalizeOnInitialPolicy or NoNormalization))
            problems.Add(new(nameof(RewardNormalization), "--reward-normalization", $"must be {NormalizeOnInitialPolicy} or {NoNormalization} (got {RewardNormalization})"));
        if (RewardNormalizationSamples < 2) problems.Add(new(nameof(RewardNormalizationSamples), "--reward-normalization-samples", $"must be >= 2 (got {RewardNormalizationSamples})"));
        if (SampleEvery < 1) problems.Add(new(nameof(SampleEvery), "--sample-every", $"must be >= 1 (got {SampleEvery})"));
        if (CheckpointEvery < 1) problems.Add(new(nameof(CheckpointEvery), "--checkpoint-every", $"must be >= 1 (got {CheckpointEvery})"));
        if (MaxPromptLength < 1) problems.Add(new(nameof(MaxPromptLength), "--max-prompt-length", $"must be >= 1 (got {MaxPromptLength})"));
        Models.ComputePrecision.AddProblem(problems, ComputeDtype);
        LoraConfig.AddProblems(problems, Lora);
        return problems;
    }
}
