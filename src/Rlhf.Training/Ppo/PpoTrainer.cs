using System.Diagnostics;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// PPO for RLHF as TRL's current PPOTrainer does it (after "The N+ Implementation Details of RLHF with PPO", Huang et
/// al.), CleanRL-style: the whole algorithm is <see cref="Train"/>, top to bottom, with TRL's names; the pure pieces are
/// in <see cref="PpoMath"/>, <see cref="PpoLoss"/> and <see cref="PpoForward"/>.
/// <para><b>Models</b> (any supported family, through <see cref="ModelLoader"/>; prompts rendered with the policy folder's
/// own chat template, <see cref="ChatPrompts"/>). policy (trained) and ref_policy (frozen), both loaded from the policy folder; value_model
/// (trained), a *ForSequenceClassification loaded from the reward folder whose per-position scores are the values;
/// the reward model (frozen) from the reward folder, behind <see cref="IScorer"/> (<see cref="RewardModelScorer"/>), or
/// a scripted scorer. No model has dropout. One AdamW over policy + value model.</para>
/// <para><b>Each update</b> (TRL's loop):
/// <list type="number">
/// <item>Rollout, no grad: BatchSize prompts in a seeded order (the chat template with the generation cue; GPT-2: "User: {prompt}\nAssistant:"; the last
/// MaxPromptLength tokens, left-padded to P); ResponseLength tokens sampled from the policy with temperature, top-k/top-p
/// off, KV cache, a torch generator seeded from (seed, update); logprobs = log_softmax(logits / temperature) of the
/// sampled tokens (from generation; TRL divides by temperature + 1e-7, here by the temperature itself, everywhere); responses truncated after the first stop token (kept; later tokens become pad);
/// sequence_lengths = index of the last valid token; padding_mask = positions after it.</item>
/// <item>ref_logprobs under ref_policy (logits / temperature) and values = value_model over query+response sliced
/// [P - 1 : -1]; scores from the scorer on query + truncated response; missing_eos_penalty subtracted from responses
/// without EOS. logprobs and ref_logprobs become INVALID_LOGPROB (1.0) and values 0 at padding.</item>
/// <item>kl = k1 (logp - ref_logp) or k3 per token; non_score_reward = -beta * kl; rewards = non_score_reward with the
/// score added at sequence_lengths (the last valid token; TRL's current trainer adds it one position later when that
/// fits, DESIGN.md and lm-human-preferences at the last token); optional whitening of the rewards (scale only).</item>
/// <item>GAE (gamma, lam) backwards over the response with padding as terminal; returns = advantages + values;
/// advantages whitened over valid positions (biased variance, eps 1e-8) and 0 at padding.</item>
/// <item>PpoEpochs passes, each a fresh seeded shuffle cut into MiniBatches minibatches: new logprobs (logits /
/// temperature) and values, <see cref="PpoLoss"/>, backward, optional grad-norm clip of each model, AdamW step. The first
/// minibatch of the first epoch runs on the weights that sampled, so there ratio = 1, approxkl = 0, clipfrac = 0.</item>
/// <item>Adaptive KL (when on): beta = <see cref="PpoMath.AdaptiveKlUpdate"/>(beta, objective/kl, TargetKl, BatchSize, Horizon).</item>
/// </list>
/// The learning rate decays linearly to 0 over <see cref="PpoConfig.Steps"/> (TRL's default scheduler) or stays
/// constant; it changes once per update.</para>
/// <para><b>Metrics</b> (TRL's names), sent after every update:
/// objective/kl = mean over responses of sum_t kl_t; objective/entropy = mean over responses of sum_t -logprob_t over
/// valid tokens (TRL also adds -INVALID_LOGPROB for every padded position; not here); objective/non_score_reward =
/// mean of sum_t non_score_reward_t; objective/rlhf_reward = objective/non_score_reward + objective/scores;
/// objective/scores = mean score (after the EOS penalty); and, averaged over every minibatch of every epoch:
/// policy/approxkl_avg (0.5 mean (new - old logprob)^2), policy/clipfrac_avg, loss/policy_avg, loss/value_avg,
/// val/clipfrac_avg, policy/entropy_avg (mean entropy of logits / temperature over all response positions, as TRL),
/// val/ratio (mean ratio); val/ratio_var = the unbiased variance of the per-minibatch mean ratios (TRL's
/// ratio_stats.var(); 0 when there is a single minibatch, where torch gives NaN); val/num_eos_tokens = responses that
/// contain the stop token; lr; episode; eps (episodes per second since the start or resume); objective/kl_coef (the
/// beta used for this update) when AdaptiveKl. Also, not from TRL: time/generation, time/scoring, time/forward (ref +
/// value rollout passes), time/update (seconds), tokens/query_response (B x (P + N)), tokens/response (valid response
/// tokens), val/explained_variance (CleanRL's, of the rollout values against the returns; absent when the returns do not
/// vary), policy/grad_norm and val/grad_norm (each model's gradient norm, mean over minibatches, before clipping).</para>
/// <para><b>Samples</b>: every row of update 1, 1 + SampleEvery, ... and of the last update goes to onSamples.</para>
/// <para><b>Checkpoints and resume</b> (TRL's PPO cannot resume): with a checkpoint folder, a checkpoint
/// (<see cref="PpoCheckpoint"/>: policy and value weights, AdamW moments and step counts, the update count, beta, the
/// first and last mean score) is saved every CheckpointEvery updates and when the run is cancelled. When the folder
/// already holds one, Train resumes from it: the reference is reloaded from the policy folder, the prompt order and
/// the per-update random streams are recomputed from the seed, so an interrupted run continues exactly where an
/// uninterrupted one would be (up to float non-determinism). Resuming needs the same prompts and settings
/// (SampleEvery and CheckpointEvery may differ); otherwise <see cref="Checkpoints.CheckpointMismatchException"/>.</para>
/// <para>Cancellation is checked before every update; on cancel a checkpoint is saved (when a folder is given and
/// updates were made since the last one) and <see cref="OperationCanceledException"/> is thrown.</para>
/// </summary>
public sealed class PpoTrainer
{
    private readonly PpoConfig _config;

    public PpoTrainer(PpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        _config = config;
    }

    public PpoConfig Config => _config;

    /// <summary>When set, each minibatch update adds its phases' times here (`rlhf bench ppo`).</summary>
    public PpoPhaseTimes? PhaseTimes { get; init; }

    /// <summary>When set, the run stops after the update that spends this many process CPU-seconds (<see cref="CpuBudget"/>), or at Steps, whichever comes first.</summary>
    public double? MaxCpuSeconds { get; init; }

    /// <summary>The update a run in <paramref name="checkpointFolder"/> would resume after, or null when it holds no checkpoint.</summary>
    public static long? CheckpointedStep(string checkpointFolder) => PpoCheckpoint.TryLoad(checkpointFolder)?.Common.Step;

    /// <summary>
    /// Trains the policy in <paramref name="policyFolder"/> against the reward model in <paramref name="rewardFolder"/>
    /// (or <paramref name="scorerOverride"/>; the value model is initialised from <paramref name="rewardFolder"/> either
    /// way) on <paramref name="prompts"/> (plain prompt texts), and writes the policy (HF layout, GPT2LMHeadModel) to
    /// <paramref name="outFolder"/>. See the class remarks.
    /// </summary>
    public PpoResult Train(string policyFolder, string rewardFolder, IReadOnlyList<string> prompts, string outFolder, string? checkpointFolder,
        Action<PpoMetrics>? onMetrics, Action<IReadOnlyList<PpoSample>>? onSamples, CancellationToken cancellationToken,
        IScorer? scorerOverride = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(rewardFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts given", nameof(prompts));
        if (prompts.Any(p => p is null)) throw new ArgumentException("a prompt is null", nameof(prompts));
        cancellationToken.ThrowIfCancellationRequested();
        TorchThreads.EnsureConfigured();
        var budget = CpuBudget.Start(MaxCpuSeconds);   // from here: loading the models counts too
        var args = _config;
        var B = args.BatchSize;

        var key = PpoCheckpoint.KeyOf(args, prompts);
        var resume = checkpointFolder is null ? null : PpoCheckpoint.TryLoad(checkpointFolder);
        resume?.Common.EnsureFits(key);

        // ---- Models: policy + value model (trained), ref_policy + reward model (frozen). None has dropout.
        // Any family (ModelLoader); the policy folder's own tokenizer and chat template render the prompts.
        // LoRA: adapters on the policy and the value model (its score head trains); ref_policy is the policy with its
        // adapter off, so the frozen base is in memory once. The value model keeps its own weights (it starts from the reward model).
        using var policy = ModelLoader.LoadLanguageModel(TrainedWeights.LoadFolder(policyFolder, resume?.PolicyFolder));
        using var valueModel = ModelLoader.LoadRewardModel(TrainedWeights.LoadFolder(rewardFolder, resume?.ValueFolder));
        using var loraInit = new Generator(unchecked((ulong)args.Seed));
        using var trainedPolicy = TrainedWeights.Attach(policy, args.Lora, resume?.PolicyFolder, loraInit);
        using var trainedValue = TrainedWeights.Attach(valueModel, args.Lora is { } lora ? lora with { TrainScoreHead = true } : null,
            resume?.ValueFolder, loraInit, scoreHead: true);
        using var refPolicy = trainedPolicy.IsLora ? null : ModelLoader.LoadLanguageModel(policyFolder);
        using var rewardModel = scorerOverride is null ? ModelLoader.LoadRewardModel(rewardFolder) : null;
        var tokenizer = ModelTokenizers.LoadRenderable(policyFolder, policy.VocabSize);
        if (valueModel.VocabSize != policy.VocabSize || valueModel.ModelType == "gpt2" != (policy.ModelType == "gpt2"))
            throw new ArgumentException($"the reward model ({valueModel.ModelType}, vocab_size {valueModel.VocabSize}) does not read the policy's tokens " +
                $"({policy.ModelType}, vocab_size {policy.VocabSize}): train the reward model from the policy or a model with the same tokenizer");
        var dtype = ComputePrecision.Parse(args.ComputeDtype);   // the frozen models cast their weights once, the trained ones after each step
        policy.ComputeDtype = valueModel.ComputeDtype = dtype;
        if (refPolicy is not null) refPolicy.ComputeDtype = dtype;
        if (rewardModel is not null) rewardModel.ComputeDtype = dtype;
        if (refPolicy is not null) Freeze(refPolicy.Module);
        if (rewardModel is not null) Freeze(rewardModel.Module);
        policy.Module.train();
        valueModel.Module.train();

        var padTokenId = policy.PadTokenId;
        var stopTokenId = StopTokenOf(args, policy, tokenizer);               // TRL stop_token_id
        var eosTokenId = stopTokenId ?? policy.EosTokenIds.FirstOrDefault(-1);   // what contain_eos_token looks for
        var scorer = scorerOverride ?? new RewardModelScorer(rewardModel!, stopTokenId);
        var nPositions = Math.Min(Math.Min(policy.MaxPositions, valueModel.MaxPositions), rewardModel?.MaxPositions ?? int.MaxValue);
        var maxPromptLength = Math.Min(args.MaxPromptLength, nPositions - args.ResponseLength);
        if (maxPromptLength < 1)
            throw new ArgumentException($"--response-length {args.ResponseLength} leaves no room for a prompt in n_positions {nPositions}");

        // ---- Queries: the prompt in the policy's chat template with the generation cue, the last maxPromptLength tokens.
        var queryTokens = prompts.Select(p =>
        {
            var ids = ChatPrompts.EncodePrompt(tokenizer, p);
            return (IReadOnlyList<int>)(ids.Length > maxPromptLength ? ids[^maxPromptLength..] : ids);
        }).ToArray();
        var generationConfig = new GenerationConfig
        {
            MaxNewTokens = args.ResponseLength, Temperature = args.Temperature, TopK = 0, TopP = 1.0,
            EosTokenId = eosTokenId, PadTokenId = padTokenId, StopAtEos = stopTokenId is not null,
        };
        var order = new PromptOrder(prompts.Count, B, args.Seed);

        // ---- Reward normalisation (lm-human-preferences): from samples of the initial policy (the frozen reference,
        // so a resumed run measures the same), or none.
        ScoreNormalization normalization;
        using (trainedPolicy.AsReference())
            normalization = args.RewardNormalization == PpoConfig.NormalizeOnInitialPolicy
            ? ScoreNormalization.FromInitialPolicy(refPolicy ?? policy, scorer, queryTokens, order, generationConfig, args with { StopTokenId = stopTokenId }, padTokenId)
            : ScoreNormalization.None;

        using var optimizer = new PpoOptimizer(trainedPolicy.Parameters, trainedValue.Parameters, args);
        if (resume is not null) optimizer.Load(resume.Common.OptimizerPath);
        long step = resume?.Common.Step ?? 0;                            // updates done (TRL global_step)
        var lastSaved = step;
        var klCoef = resume?.KlCoef ?? args.KlCoef;                // beta
        var firstMeanScore = resume?.FirstMeanScore ?? double.NaN;
        var lastMeanScore = resume?.LastMeanScore ?? double.NaN;
        var lastKl = resume?.LastKl ?? double.NaN;
        var startTime = Stopwatch.StartNew();
        var startStep = step;

        void SaveCheckpoint()
        {
            if (checkpointFolder is null || step == lastSaved) return;
            PpoCheckpoint.Save(checkpointFolder, key, trainedPolicy, policyFolder, trainedValue, rewardFolder, optimizer, step, step * B, klCoef, firstMeanScore, lastMeanScore, lastKl);
            lastSaved = step;
        }

        while (step < args.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                throw new OperationCanceledException("the PPO run was cancelled", cancellationToken);
            }
            var update = step + 1;
            var episode = update * B;                                               // TRL state.episode
            var lr = args.LrSchedulerType == "linear" ? args.LearningRate * (1.0 - (double)step / args.Steps) : args.LearningRate;
            optimizer.LearningRate = lr;
            var metrics = new Dictionary<string, double>();
            var clock = Stopwatch.StartNew();

            using var stepScope = NewDisposeScope();
            var batchIndices = order.Batch(step);

            // ================= 1. Rollout (no grad) =================
            Tensor responses, logprobs, refLogprobs, values, scores, queryResponses, attentionMask;
            Tensor sequenceLengths, paddingMask, containEosToken, kl, nonScoreReward, advantages, returns;
            int contextLength;
            using (no_grad())
            {
                // Sample, then response processing 1: truncate after the first stop token (kept; later tokens become pad).
                var rollout = PpoRollout.Sample(policy, batchIndices.Select(i => queryTokens[i]).ToArray(), generationConfig,
                    PpoSeeds.Sampling(args.Seed, step), stopTokenId, padTokenId);
                (responses, logprobs) = (rollout.Responses, rollout.Logprobs);         // [B, N] each
                (sequenceLengths, paddingMask) = (rollout.SequenceLengths, rollout.PaddingMask);   // [B], [B, N]
                (queryResponses, attentionMask) = (rollout.QueryResponses, rollout.AttentionMask); // [B, P + N] each
                contextLength = rollout.ContextLength;                                  // P
                var validMask = paddingMask.logical_not();                              // [B, N] bool
                metrics["time/generation"] = Lap(clock);

                // ref_logprobs and values at the response positions (logits[:, P - 1 : -1] / T, values[:, P - 1 : -1]).
                using (trainedPolicy.AsReference())
                using (var refLogits = PpoForward.ResponseLogits(refPolicy ?? policy, queryResponses, attentionMask, contextLength, args.Temperature))   // [B, N, V]
                    refLogprobs = PpoForward.LogProbs(refLogits, responses);            // [B, N]
                values = PpoForward.Values(valueModel, queryResponses, attentionMask, contextLength);   // [B, N]
                metrics["time/forward"] = Lap(clock);

                // Response processing 2: score query + truncated response.
                scores = scorer.Score(queryResponses, attentionMask, contextLength);   // [B]
                if (scores.shape.Length != 1 || scores.shape[0] != B)
                    throw new InvalidOperationException($"the scorer returned shape [{string.Join(", ", scores.shape)}], expected [{B}]");
                scores = normalization.Apply(scores.detach().to_type(ScalarType.Float32));   // [B]
                metrics["time/scoring"] = Lap(clock);

                // Response processing 3: responses without EOS lose missing_eos_penalty.
                containEosToken = PpoMath.ContainsEos(responses, eosTokenId, paddingMask);   // [B] bool
                if (args.MissingEosPenalty is double penalty) scores = PpoMath.ApplyMissingEosPenalty(scores, containEosToken, penalty);

                logprobs = logprobs.masked_fill(paddingMask, PpoMath.InvalidLogProb);        // [B, N]
                refLogprobs = refLogprobs.masked_fill(paddingMask, PpoMath.InvalidLogProb);  // [B, N]
                values = values.masked_fill(paddingMask, 0);                                 // [B, N]

                // 4. rewards: -beta * kl per token, the score at the last valid token.
                kl = PpoMath.Kl(args.KlEstimator, logprobs, refLogprobs);               // [B, N], 0 at padding
                nonScoreReward = -klCoef * kl;                                          // [B, N]
                var rewards = PpoMath.AddScoreAtEnd(nonScoreReward, scores, sequenceLengths);   // [B, N]

                // 5. whiten rewards (scale only)
                if (args.WhitenRewards)
                    rewards = PpoMath.Whiten(rewards, validMask, shiftMean: false).masked_fill(paddingMask, 0);

                // 6. advantages and returns
                (advantages, returns) = PpoMath.Gae(rewards, values, validMask, args.Gamma, args.Lam);   // [B, N] each
                if (PpoMath.ExplainedVariance(values, returns, validMask) is double explained) metrics["val/explained_variance"] = explained;
                advantages = PpoMath.Whiten(advantages, validMask).masked_fill(paddingMask, 0);         // [B, N]
            }

            // ================= 2. PPO epochs over shuffled minibatches =================
            var miniBatchSize = args.MiniBatchSize;
            var updateBatch = new PpoUpdateBatch(queryResponses, attentionMask, responses, logprobs, values, returns, advantages, paddingMask, contextLength);
            var random = new Random(PpoSeeds.Minibatches(args.Seed, step));
            var approxklStats = new List<double>();
            var pgClipfracStats = new List<double>();
            var pgLossStats = new List<double>();
            var vfLossStats = new List<double>();
            var vfClipfracStats = new List<double>();
            var entropyStats = new List<double>();
            var ratioStats = new List<double>();
            var policyGradNorms = new List<double>();
            var valueGradNorms = new List<double>();
            for (var ppoEpochIdx = 0; ppoEpochIdx < args.PpoEpochs; ppoEpochIdx++)
            {
                var bInds = Enumerable.Range(0, B).ToArray();
                random.Shuffle(bInds);
                for (var miniBatchStart = 0; miniBatchStart < B; miniBatchStart += miniBatchSize)
                {
                    var rows = bInds[miniBatchStart..(miniBatchStart + miniBatchSize)].Select(i => (long)i).ToArray();   // [mb]
                    var stats = PpoMinibatchUpdate.Run(policy, valueModel, optimizer, updateBatch, rows, args, PhaseTimes);
                    policyGradNorms.Add(stats.PolicyGradNorm);
                    valueGradNorms.Add(stats.ValueGradNorm);
                    approxklStats.Add(stats.ApproxKl);
                    pgClipfracStats.Add(stats.PgClipfrac);
                    pgLossStats.Add(stats.PgLoss);
                    vfLossStats.Add(stats.VfLoss);
                    vfClipfracStats.Add(stats.VfClipfrac);
                    entropyStats.Add(stats.Entropy);
                    ratioStats.Add(stats.RatioMean);
                }
            }
            metrics["time/update"] = Lap(clock);

            // ================= 3. Metrics =================
            double meanKl, meanEntropy, meanNonScoreReward, meanScore;
            using (no_grad())
            {
                meanKl = kl.sum(1).mean().item<float>();
                meanEntropy = (-logprobs).masked_fill(paddingMask, 0).sum(1).mean().item<float>();
                meanNonScoreReward = nonScoreReward.sum(1).mean().item<float>();
                meanScore = scores.mean().item<float>();
                metrics["val/num_eos_tokens"] = containEosToken.sum().item<long>();
                metrics["tokens/query_response"] = queryResponses.numel();
                metrics["tokens/response"] = paddingMask.logical_not().sum().item<long>();
            }
            metrics["objective/kl"] = meanKl;
            metrics["objective/entropy"] = meanEntropy;
            metrics["objective/non_score_reward"] = meanNonScoreReward;
            metrics["objective/rlhf_reward"] = meanNonScoreReward + meanScore;
            metrics["objective/scores"] = meanScore;
            metrics["policy/approxkl_avg"] = approxklStats.Average();
            metrics["policy/clipfrac_avg"] = pgClipfracStats.Average();
            metrics["loss/policy_avg"] = pgLossStats.Average();
            metrics["loss/value_avg"] = vfLossStats.Average();
            metrics["val/clipfrac_avg"] = vfClipfracStats.Average();
            metrics["policy/entropy_avg"] = entropyStats.Average();
            metrics["val/ratio"] = ratioStats.Average();
            metrics["val/ratio_var"] = SampleVariance(ratioStats);
            metrics["policy/grad_norm"] = policyGradNorms.Average();
            metrics["val/grad_norm"] = valueGradNorms.Average();
            metrics["lr"] = lr;
            metrics["episode"] = episode;
            if (args.AdaptiveKl) metrics["objective/kl_coef"] = klCoef;

            // Ziegler's adaptive controller, after the update, from this batch's KL.
            if (args.AdaptiveKl) klCoef = PpoMath.AdaptiveKlUpdate(klCoef, meanKl, args.TargetKl, B, args.Horizon);

            step = update;
            if (double.IsNaN(firstMeanScore)) firstMeanScore = meanScore;
            lastMeanScore = meanScore;
            lastKl = meanKl;
            metrics["eps"] = Math.Floor((step - startStep) * B / Math.Max(startTime.Elapsed.TotalSeconds, 1e-9));
            onMetrics?.Invoke(new PpoMetrics(step, episode, metrics));

            if (onSamples is not null && ((update - 1) % args.SampleEvery == 0 || update == args.Steps))
                onSamples(Samples(step, batchIndices, prompts, responses, sequenceLengths, containEosToken, scores, stopTokenId, tokenizer));

            if (step % args.CheckpointEvery == 0) SaveCheckpoint();
            if (budget?.IsSpent == true) break;
        }

        trainedPolicy.Save(outFolder, policyFolder);
        return new PpoResult(step, firstMeanScore, lastMeanScore, lastKl);
    }

    /// <summary>
    /// The stop token: --stop-token-id as given, except that its default (GPT-2's 50256) means "the model's own end of
    /// turn" for a model of another family: the eos id its chat template ends an assistant turn with
    /// (<see cref="ModelTokenizers.EndOfTurnTokenId"/>; Qwen's &lt;|im_end|&gt;, Llama 3's &lt;|eot_id|&gt;).
    /// </summary>
    internal static int? StopTokenOf(PpoConfig args, ICausalLanguageModel policy, ModelTokenizer tokenizer)
        => args.StopTokenId == Gpt2Tokenizer.EndOfTextTokenId && policy.ModelType != "gpt2"
            ? ModelTokenizers.EndOfTurnTokenId(tokenizer, policy.EosTokenIds)
            : args.StopTokenId;

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

    /// <summary>torch's default (unbiased) variance; 0 for a single value (torch gives NaN, which JSON cannot carry).</summary>
    private static double SampleVariance(IReadOnlyList<double> xs)
    {
        if (xs.Count < 2) return 0;
        var mean = xs.Average();
        return xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1);
    }

    /// <summary>The rows of one update for the samples table: prompt, decoded response without its stop token, score.</summary>
    private static PpoSample[] Samples(long step, int[] batchIndices, IReadOnlyList<string> prompts, Tensor responses, Tensor sequenceLengths,
        Tensor containEosToken, Tensor scores, int? stopTokenId, ModelTokenizer tokenizer)
    {
        var N = (int)responses.shape[1];
        var ids = responses.cpu().data<long>().ToArray();
        var lengths = sequenceLengths.cpu().data<long>().ToArray();
        var hasEos = containEosToken.cpu().data<bool>().ToArray();
        var score = scores.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var samples = new PpoSample[batchIndices.Length];
        for (var b = 0; b < batchIndices.Length; b++)
        {
            var valid = (int)lengths[b] + 1;
            var tokens = ids.Skip(b * N).Take(valid).Select(x => (int)x).ToArray();
            if (stopTokenId is int stop && tokens.Length > 0 && tokens[^1] == stop) tokens = tokens[..^1];
            samples[b] = new PpoSample(step, prompts[batchIndices[b]], tokenizer.Tokenizer.Decode(tokens), score[b], hasEos[b]);
        }
        return samples;
    }
}
