using System.Diagnostics;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Ppo;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// GRPO (Shao et al. 2024, DeepSeekMath) as TRL's GRPOTrainer does it, CleanRL-style: the whole algorithm is
/// <see cref="Train"/>, top to bottom, with TRL's names; the pure pieces are <see cref="GrpoAdvantages"/>,
/// <see cref="GrpoLoss"/> and <see cref="GrpoForward"/>. No value model: the baseline is the group's mean reward.
/// <para><b>Models</b> (any family: GPT-2, Llama, Qwen2, Qwen3, through <see cref="ModelLoader"/>; prompts rendered with
/// the policy folder's chat template, <see cref="ModelTokenizer"/>): the policy (trained) and the reference (frozen,
/// loaded from the policy folder only when beta &gt; 0); the reward model (frozen) from the reward folder behind
/// <see cref="IScorer"/> (<see cref="RewardModelGrpoScorer"/>), or a scripted scorer. One AdamW over the policy.</para>
/// <para><b>Each update</b>:
/// <list type="number">
/// <item>Generation, no grad: BatchSize prompts in a seeded order (<see cref="PromptOrder"/>, the chat template's
/// prompt, the last MaxPromptLength tokens), each repeated G = NumGenerations times; MaxCompletionLength tokens sampled
/// with temperature (top-k/top-p off, KV cache, a generator seeded from (seed, update)); completions truncated after
/// the first stop token (kept), completion_mask 1 up to and including it. old_per_token_logps = the sampling
/// log-probs (log_softmax(logits / T)); ref_per_token_logps from the reference when beta &gt; 0.</item>
/// <item>Rewards: the scorer on prompt + completion; missing_eos_penalty subtracted from completions without the stop
/// token; advantages = <see cref="GrpoAdvantages.Compute"/> (group mean, and std unless scale_rewards is off).</item>
/// <item>NumIterations (mu) passes, each a fresh seeded shuffle of the B x G completions cut into MiniBatches: new
/// log-probs (logits / T), <see cref="GrpoLoss"/>, backward, grad-norm clip, AdamW step. With mu = 1 and one
/// minibatch the ratio is 1 (the sampling weights), as TRL's old_per_token_logps = per_token_logps.detach().</item>
/// </list>
/// The learning rate decays linearly to 0 over <see cref="GrpoConfig.Steps"/> (TRL's default) or stays constant.</para>
/// <para><b>Metrics</b> (TRL's names), after every update: reward (mean reward after the EOS penalty), reward_std
/// (its unbiased std over the batch), frac_reward_zero_std (groups whose rewards are all equal),
/// completions/mean_length, completions/min_length, completions/max_length (valid tokens, the stop token counted),
/// completions/clipped_ratio (share without the stop token), completions/mean_terminated_length (and min/max; 0 when
/// none ended); averaged over the update's minibatches: loss, kl (masked mean of k3; only when beta &gt; 0), entropy
/// (masked mean of the entropy of logits / T), clip_ratio/low_mean, clip_ratio/high_mean, clip_ratio/region_mean,
/// clip_ratio/low_min, clip_ratio/high_max, grad_norm (before clipping); learning_rate. Also, not from TRL:
/// time/generation, time/scoring, time/forward (reference pass), time/update (seconds).</para>
/// <para><b>Samples</b>: the completions of update 1, 1 + SampleEvery, ... and of the last update go to onSamples.</para>
/// <para><b>Checkpoints and resume</b> (<see cref="GrpoCheckpoint"/>): with a checkpoint folder, one is saved every
/// CheckpointEvery updates and when the run is cancelled; a folder that holds one is resumed from it, the prompt order
/// and the random streams recomputed from the seed, so an interrupted run continues as an uninterrupted one would.
/// Different prompts or settings: <see cref="CheckpointMismatchException"/>.</para>
/// </summary>
public sealed class GrpoTrainer
{
    private readonly GrpoConfig _config;

    public GrpoTrainer(GrpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        _config = config;
    }

    public GrpoConfig Config => _config;

    /// <summary>When set, the run stops after the update that spends this many process CPU-seconds (<see cref="CpuBudget"/>), or at Steps, whichever comes first.</summary>
    public double? MaxCpuSeconds { get; init; }

    /// <summary>The update a run in <paramref name="checkpointFolder"/> would resume after, or null when it holds no checkpoint.</summary>
    public static long? CheckpointedStep(string checkpointFolder) => GrpoCheckpoint.TryLoad(checkpointFolder)?.Common.Step;

    /// <summary>
    /// Trains the policy in <paramref name="policyFolder"/> against the reward model in <paramref name="rewardFolder"/>
    /// (or <paramref name="scorerOverride"/>, then <paramref name="rewardFolder"/> may be null) on <paramref name="prompts"/>
    /// (plain prompt texts), and writes the policy (Hugging Face layout) to <paramref name="outFolder"/>. See the class remarks.
    /// </summary>
    public GrpoResult Train(string policyFolder, string? rewardFolder, IReadOnlyList<string> prompts, string outFolder, string? checkpointFolder,
        Action<GrpoMetrics>? onMetrics, Action<IReadOnlyList<PpoSample>>? onSamples, CancellationToken cancellationToken,
        IScorer? scorerOverride = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyFolder);
        if (scorerOverride is null) ArgumentException.ThrowIfNullOrWhiteSpace(rewardFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts given", nameof(prompts));
        if (prompts.Any(p => p is null)) throw new ArgumentException("a prompt is null", nameof(prompts));
        cancellationToken.ThrowIfCancellationRequested();
        TorchThreads.EnsureConfigured();
        var budget = CpuBudget.Start(MaxCpuSeconds);   // from here: loading the models counts too
        var args = _config;
        var (B, G) = (args.BatchSize, args.NumGenerations);
        var tokenizer = ModelTokenizer.Load(policyFolder);

        var key = GrpoCheckpoint.KeyOf(args, prompts);
        var resume = checkpointFolder is null ? null : GrpoCheckpoint.TryLoad(checkpointFolder);
        resume?.Common.EnsureFits(key);

        // ---- Models: policy (trained); reference (frozen, only when beta > 0) and reward model (frozen).
        // LoRA: only an adapter trains, and the reference is the policy with the adapter off (no second copy).
        using var policy = ModelLoader.LoadLanguageModel(TrainedWeights.LoadFolder(policyFolder, resume?.PolicyFolder));
        using var loraInit = new Generator(unchecked((ulong)args.Seed));
        using var trained = TrainedWeights.Attach(policy, args.Lora, resume?.PolicyFolder, loraInit);
        using var refPolicy = args.Beta != 0 && !trained.IsLora ? ModelLoader.LoadLanguageModel(policyFolder) : null;
        using var rewardModel = scorerOverride is null ? ModelLoader.LoadRewardModel(rewardFolder!) : null;
        if (refPolicy is not null) Freeze(refPolicy.Module);
        if (rewardModel is not null)
        {
            Freeze(rewardModel.Module);
            if (rewardModel.VocabSize != policy.VocabSize)
                throw new ArgumentException($"the reward model's vocabulary ({rewardModel.VocabSize} tokens) is not the policy's ({policy.VocabSize}): it must read the policy's tokens");
        }
        policy.Module.train();

        var stopTokenId = args.StopTokenId ?? policy.EosTokenIds[0];
        var padTokenId = policy.PadTokenId;
        var scorer = scorerOverride ?? new RewardModelGrpoScorer(rewardModel!, stopTokenId);
        var nPositions = Math.Min(policy.MaxPositions, rewardModel?.MaxPositions ?? int.MaxValue);
        var maxPromptLength = Math.Min(args.MaxPromptLength, nPositions - args.MaxCompletionLength);
        if (maxPromptLength < 1)
            throw new ArgumentException($"--max-completion-length {args.MaxCompletionLength} leaves no room for a prompt in the model's {nPositions} positions");

        // ---- Prompts: the chat template's generation prompt, the last maxPromptLength tokens.
        var queryTokens = prompts.Select(p =>
        {
            var ids = tokenizer.EncodeChat([ChatMessage.FromUser(p)], addGenerationPrompt: true).Ids;
            return (IReadOnlyList<int>)(ids.Length > maxPromptLength ? ids[^maxPromptLength..] : ids);
        }).ToArray();
        var generationConfig = new GenerationConfig
        {
            MaxNewTokens = args.MaxCompletionLength, Temperature = args.Temperature, TopK = 0, TopP = 1.0,
            EosTokenId = stopTokenId, PadTokenId = padTokenId, StopAtEos = true,
        };
        var order = new PromptOrder(prompts.Count, B, args.Seed);

        using var optimizer = new FusedAdamW(trained.Parameters,
            args.AdamEpsilon, args.WeightDecay, beta1: 0.9, beta2: 0.999);
        if (resume is not null) optimizer.Load(resume.Common.OptimizerPath);
        long step = resume?.Common.Step ?? 0;                                       // updates done (TRL global_step)
        var lastSaved = step;
        var firstMeanReward = resume?.FirstMeanReward ?? double.NaN;
        var lastMeanReward = resume?.LastMeanReward ?? double.NaN;
        var lastKl = resume?.LastKl ?? double.NaN;

        void SaveCheckpoint()
        {
            if (checkpointFolder is null || step == lastSaved) return;
            GrpoCheckpoint.Save(checkpointFolder, key, trained, policyFolder, optimizer, step, firstMeanReward, lastMeanReward, lastKl);
            lastSaved = step;
        }

        while (step < args.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                throw new OperationCanceledException("the GRPO run was cancelled", cancellationToken);
            }
            var update = step + 1;
            var lr = args.LrSchedulerType == "linear" ? args.LearningRate * (1.0 - (double)step / args.Steps) : args.LearningRate;
            var metrics = new Dictionary<string, double>();
            var clock = Stopwatch.StartNew();

            using var stepScope = NewDisposeScope();
            var batchIndices = order.Batch(step);                                   // [B] prompt indices
            var rowPrompts = batchIndices.SelectMany(i => Enumerable.Repeat(i, G)).ToArray();   // [B x G], groups consecutive

            // ================= 1. Generation and rewards (no grad) =================
            Tensor completions, oldLogprobs, completionMask, inputIds, attentionMask, advantages, rewards, containEos;
            Tensor? refLogprobs = null;
            int contextLength;
            using (no_grad())
            {
                var rollout = PpoRollout.Sample(policy, rowPrompts.Select(i => queryTokens[i]).ToArray(), generationConfig,
                    PpoSeeds.Sampling(args.Seed, step), stopTokenId, padTokenId);
                completions = rollout.Responses;                                    // [BG, N] truncated after the stop token
                completionMask = rollout.PaddingMask.logical_not().to_type(ScalarType.Float32);   // [BG, N]
                oldLogprobs = rollout.Logprobs;                                     // [BG, N] log_softmax(logits / T)
                (inputIds, attentionMask) = (rollout.QueryResponses, rollout.AttentionMask);      // [BG, P + N]
                contextLength = rollout.ContextLength;                              // P
                metrics["time/generation"] = Lap(clock);

                if (args.Beta != 0)
                {
                    using var asReference = trained.AsReference();
                    using var refLogits = GrpoForward.CompletionLogits(refPolicy ?? policy, inputIds, attentionMask, contextLength, args.Temperature);   // [BG, N, V]
                    refLogprobs = PpoForward.LogProbs(refLogits, completions);     // [BG, N]
                    metrics["time/forward"] = Lap(clock);
                }

                rewards = scorer.Score(inputIds, attentionMask, contextLength);     // [BG]
                if (rewards.shape.Length != 1 || rewards.shape[0] != B * G)
                    throw new InvalidOperationException($"the scorer returned shape [{string.Join(", ", rewards.shape)}], expected [{B * G}]");
                rewards = rewards.detach().to_type(ScalarType.Float32);
                containEos = PpoMath.ContainsEos(completions, stopTokenId, rollout.PaddingMask);   // [BG] bool
                if (args.MissingEosPenalty is double penalty) rewards = PpoMath.ApplyMissingEosPenalty(rewards, containEos, penalty);
                Tensor groupStd;
                (advantages, groupStd) = GrpoAdvantages.Compute(rewards, G, args.ScaleRewards);   // [BG] each
                metrics["time/scoring"] = Lap(clock);

                metrics["reward"] = rewards.mean().item<float>();
                metrics["reward_std"] = rewards.std().item<float>();
                metrics["frac_reward_zero_std"] = groupStd.view(-1, G).select(1, 0).eq(0).to_type(ScalarType.Float32).mean().item<float>();
                var lengths = completionMask.sum(1);                                // [BG]
                metrics["completions/mean_length"] = lengths.mean().item<float>();
                metrics["completions/min_length"] = lengths.min().item<float>();
                metrics["completions/max_length"] = lengths.max().item<float>();
                metrics["completions/clipped_ratio"] = containEos.logical_not().to_type(ScalarType.Float32).mean().item<float>();
                var terminated = containEos.any().item<bool>() ? lengths.masked_select(containEos) : zeros(1);   // TRL: 0 when none ended
                metrics["completions/mean_terminated_length"] = terminated.mean().item<float>();
                metrics["completions/min_terminated_length"] = terminated.min().item<float>();
                metrics["completions/max_terminated_length"] = terminated.max().item<float>();
            }

            // ================= 2. mu iterations over shuffled minibatches =================
            var rows = B * G;
            var miniBatchSize = rows / args.MiniBatches;
            var random = new Random(PpoSeeds.Minibatches(args.Seed, step));
            var stats = new Dictionary<string, List<double>>();
            void Add(string name, double value)
            {
                if (!stats.TryGetValue(name, out var list)) stats[name] = list = [];
                list.Add(value);
            }
            for (var iteration = 0; iteration < args.NumIterations; iteration++)
            {
                var order1 = Enumerable.Range(0, rows).ToArray();
                random.Shuffle(order1);
                for (var start = 0; start < rows; start += miniBatchSize)
                {
                    using var miniBatchScope = NewDisposeScope();
                    var idx = tensor(order1[start..(start + miniBatchSize)].Select(i => (long)i).ToArray());   // [mb]
                    var mbInputIds = inputIds.index_select(0, idx);                 // [mb, P + N]
                    var mbAttentionMask = attentionMask.index_select(0, idx);       // [mb, P + N]
                    var mbCompletions = completions.index_select(0, idx);           // [mb, N]
                    var mbMask = completionMask.index_select(0, idx);               // [mb, N]

                    var logits = GrpoForward.CompletionLogits(policy, mbInputIds, mbAttentionMask, contextLength, args.Temperature);   // [mb, N, V]
                    var logprobs = PpoForward.LogProbs(logits, mbCompletions);      // [mb, N]
                    using var terms = GrpoLoss.Compute(logprobs, oldLogprobs.index_select(0, idx), refLogprobs?.index_select(0, idx),
                        advantages.index_select(0, idx), mbMask, args.Beta, args.Epsilon, args.EffectiveEpsilonHigh, args.LossType, args.MaxCompletionLength);
                    terms.Loss.backward();
                    Add("grad_norm", optimizer.Step(lr, args.MaxGradNorm));
                    optimizer.ZeroGrad();
                    using (no_grad())
                    {
                        var entropy = PpoMath.EntropyFromLogits(logits.detach());   // [mb, N]
                        Add("entropy", ((entropy * mbMask).sum() / mbMask.sum().clamp_min(1.0)).item<float>());
                        Add("loss", terms.Loss.item<float>());
                        if (terms.Kl is not null) Add("kl", terms.Kl.item<float>());
                        Add("clip_ratio/low_mean", terms.LowClipped.item<float>());
                        Add("clip_ratio/high_mean", terms.HighClipped.item<float>());
                        Add("clip_ratio/region_mean", terms.RegionClipped.item<float>());
                        Add("clip_ratio/low_min", terms.LowClippedMin.item<float>());
                        Add("clip_ratio/high_max", terms.HighClippedMax.item<float>());
                    }
                }
            }
            metrics["time/update"] = Lap(clock);
            foreach (var (name, values) in stats) metrics[name] = values.Average();
            metrics["learning_rate"] = lr;

            step = update;
            var meanReward = metrics["reward"];
            if (double.IsNaN(firstMeanReward)) firstMeanReward = meanReward;
            lastMeanReward = meanReward;
            lastKl = metrics.TryGetValue("kl", out var kl) ? kl : double.NaN;
            onMetrics?.Invoke(new GrpoMetrics(step, metrics));

            if (onSamples is not null && ((update - 1) % args.SampleEvery == 0 || update == args.Steps))
                onSamples(Samples(step, rowPrompts, prompts, completions, completionMask, containEos, rewards, stopTokenId, tokenizer.Tokenizer));

            if (step % args.CheckpointEvery == 0) SaveCheckpoint();
            if (budget?.IsSpent == true) break;
        }

        trained.Save(outFolder, policyFolder);
        return new GrpoResult(step, firstMeanReward, lastMeanReward, lastKl);
    }

    private static void Freeze(nn.Module model)
    {
        foreach (var p in model.parameters()) p.requires_grad = false;
        model.eval();
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    /// <summary>The rows of one update for the samples table: prompt, decoded completion without its stop token, reward.</summary>
    private static PpoSample[] Samples(long step, int[] rowPrompts, IReadOnlyList<string> prompts, Tensor completions, Tensor completionMask,
        Tensor containEos, Tensor rewards, int stopTokenId, ITextTokenizer tokenizer)
    {
        var N = (int)completions.shape[1];
        var ids = completions.cpu().data<long>().ToArray();
        var lengths = completionMask.sum(1).cpu().data<float>().ToArray();
        var hasEos = containEos.cpu().data<bool>().ToArray();
        var reward = rewards.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var samples = new PpoSample[rowPrompts.Length];
        for (var b = 0; b < rowPrompts.Length; b++)
        {
            var tokens = ids.Skip(b * N).Take((int)lengths[b]).Select(x => (int)x).ToArray();
            if (tokens.Length > 0 && tokens[^1] == stopTokenId) tokens = tokens[..^1];
            samples[b] = new PpoSample(step, prompts[rowPrompts[b]], tokenizer.Decode(tokens), reward[b], hasEos[b]);
        }
        return samples;
    }
}
