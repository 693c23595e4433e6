using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Dpo;

/// <summary>
/// Direct Preference Optimization (Rafailov et al. 2023) as TRL's DPOTrainer does it, for a causal LM of any supported
/// family (GPT-2, Llama, Qwen2, Qwen3):
/// <list type="bullet">
/// <item>Models: the policy (trained) and a frozen reference (by default the policy's starting checkpoint). Both must
/// read the same token ids: a reference with another tokenizer is refused. The reference's log-probs of every pair are
/// computed once, before the first step, and the reference is then released.</item>
/// <item>Text: the model's chat template (<see cref="DpoEncoding"/>); log-probs are sums over the completion tokens
/// given the prompt (<see cref="DpoBatch"/>), after TRL's truncation (<see cref="DpoTruncation"/>). Pairs that cannot
/// be learned from are skipped and reported (<see cref="DpoResult.Skipped"/>).</item>
/// <item>Loss: <see cref="DpoLoss"/> (sigmoid with optional label smoothing, or ipo). AdamW (<see cref="FusedAdamW"/>),
/// nanoGPT's cosine schedule with warm-up (as reward runs), grad clipping, one dispose scope per step.</item>
/// <item>LoRA (<see cref="DpoConfig.Lora"/>, <see cref="TrainedWeights"/>): only an adapter on the frozen policy trains;
/// the reference, when it is the policy folder, is the same model with the adapter off (no second copy); the output is
/// the adapter in PEFT's layout.</item>
/// <item>Split: <see cref="PreferenceSplit"/> by prompt (group) over the usable pairs; data order: <see cref="DataOrder"/>.</item>
/// </list>
/// <para>Checkpoints and resume work as in <see cref="RewardTrainer"/>: a <see cref="DpoCheckpoint"/> every
/// CheckpointEvery steps and on cancel; a folder that holds one is resumed from (weights, AdamW state, step, data order),
/// and one of other data or settings is a <see cref="CheckpointMismatchException"/>.</para>
/// </summary>
public sealed class DpoTrainer
{
    private readonly DpoConfig _config;

    public DpoTrainer(DpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        _config = config;
    }

    public DpoConfig Config => _config;

    /// <summary>When set, the run stops after the step that spends this many process CPU-seconds (<see cref="CpuBudget"/>), or at the end of its epochs, whichever comes first.</summary>
    public double? MaxCpuSeconds { get; init; }

    /// <summary>The step a run in <paramref name="checkpointFolder"/> would resume after, or null when it holds no checkpoint.</summary>
    public static long? CheckpointedStep(string checkpointFolder) => DpoCheckpoint.TryLoad(checkpointFolder)?.Common.Step;

    /// <summary>
    /// Trains the policy in <paramref name="policyFolder"/> against the reference in <paramref name="referenceFolder"/> (null:
    /// the policy folder) and writes it to <paramref name="outFolder"/> (HF layout, with the tokenizer files).
    /// </summary>
    /// <exception cref="ArgumentException">No usable pairs, or the reference's tokenizer differs from the policy's.</exception>
    public DpoResult Train(string policyFolder, string? referenceFolder, IReadOnlyList<PreferencePair> pairs, string outFolder, string? checkpointFolder,
        Action<DpoMetrics>? onMetrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        if (pairs.Any(p => p is null || p.Prompt is null || p.Chosen is null || p.Rejected is null || p.Group is null))
            throw new ArgumentException("a preference pair is null or has a null prompt, response or group", nameof(pairs));
        cancellationToken.ThrowIfCancellationRequested();
        TorchThreads.EnsureConfigured();
        var budget = CpuBudget.Start(MaxCpuSeconds);   // from here: the reference's log-probs count too
        var config = _config;
        referenceFolder ??= policyFolder;

        var tokenizer = ModelTokenizer.Load(policyFolder);
        if (Path.GetFullPath(referenceFolder) != Path.GetFullPath(policyFolder) && TokenizerDifference(tokenizer, ModelTokenizer.Load(referenceFolder)) is { } why)
            throw new ArgumentException($"The reference model's tokenizer differs from the policy's ({why}); DPO needs both to read the same token ids.");

        var resume = checkpointFolder is null ? null : DpoCheckpoint.TryLoad(checkpointFolder);
        using var policy = ModelLoader.LoadLanguageModel(TrainedWeights.LoadFolder(policyFolder, resume?.ModelFolder));
        using var generator = new Generator(unchecked((ulong)config.Seed));
        using var trained = TrainedWeights.Attach(policy, config.Lora, resume?.ModelFolder, generator);
        var maxLength = Math.Min(config.MaxLength, policy.MaxPositions);
        var (examples, skipped) = DpoEncoding.Encode(tokenizer, pairs, config, maxLength);
        if (examples.Count == 0)
            throw new ArgumentException($"None of the {pairs.Count} preference pairs can be trained on: " +
                string.Join("; ", skipped.Take(3).Select(s => $"pair {s.PairIndex + 1}: {s.Reason}")) + (skipped.Count > 3 ? "; ..." : "."));

        var split = PreferenceSplit.Create(examples.Select(e => pairs[e.PairIndex]).ToList(), config.ValidationFraction, config.Seed);
        var order = new DataOrder(split.Train, config.BatchPairs, config.Seed);
        var stepsPerEpoch = order.StepsPerEpoch;
        long totalSteps = (long)config.Epochs * stepsPerEpoch;
        var key = DpoCheckpoint.KeyOf(config, pairs, totalSteps);
        resume?.Common.EnsureFits(key);

        // The reference's log-probs of every usable pair, once. A LoRA policy's own base (the adapter off) is the
        // reference when it starts from the policy folder: no second copy of the weights.
        LogProbs reference;
        var all = Enumerable.Range(0, examples.Count).ToArray();
        if (trained.IsLora && Path.GetFullPath(referenceFolder) == Path.GetFullPath(policyFolder))
        {
            using (trained.AsReference())
                reference = Score(policy, examples, all, maxLength, config);
        }
        else
        {
            using var referenceModel = ModelLoader.LoadLanguageModel(referenceFolder);
            reference = Score(referenceModel, examples, all, maxLength, config);
        }

        using var optimizer = new FusedAdamW(trained.Parameters, config.AdamEpsilon, config.WeightDecay, beta1: 0.9, beta2: 0.999);
        if (resume is not null) optimizer.Load(resume.Common.OptimizerPath);
        policy.Module.train();   // no dropout in the models: train and eval compute the same
        var warmup = (int)Math.Ceiling(config.WarmupRatio * totalSteps);
        var step = resume?.Common.Step ?? 0;
        var lastSaved = step;

        void SaveCheckpoint()
        {
            if (checkpointFolder is null || step == lastSaved) return;
            DpoCheckpoint.Save(checkpointFolder, key, trained, policyFolder, optimizer, step, stepsPerEpoch, split.Train.Count, split.Validation.Count);
            lastSaved = step;
        }

        var finalValidation = new Dictionary<string, double>();
        IReadOnlyList<ValidationPairResult> validationPairs = [];
        while (step < totalSteps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                throw new OperationCanceledException("the DPO run was cancelled", cancellationToken);
            }
            var indices = order.Batch(step);
            var lr = LearningRateSchedule.At(checked((int)step), checked((int)totalSteps + 1), config.LearningRate, 0.0, warmup);
            var values = Step(policy, optimizer, examples, indices, reference, maxLength, lr);
            step++;
            var epoch = (double)step / stepsPerEpoch;
            values["lr"] = lr;
            values["epoch"] = epoch;
            var stopping = step < totalSteps && budget?.IsSpent == true;
            if (split.Validation.Count > 0 && (step % config.EvalEvery == 0 || step == totalSteps || stopping))
            {
                var (metrics, results) = Evaluate(policy, examples, split.Validation, reference, maxLength);
                foreach (var (name, value) in metrics) values[name] = value;
                if (step == totalSteps || stopping) (finalValidation, validationPairs) = (metrics, results);
            }
            onMetrics?.Invoke(new DpoMetrics(step, epoch, values));
            if (stopping) break;
            if (step < totalSteps && step % config.CheckpointEvery == 0) SaveCheckpoint();
        }
        if (split.Validation.Count > 0 && finalValidation.Count == 0)   // resumed from the last step's checkpoint
            (finalValidation, validationPairs) = Evaluate(policy, examples, split.Validation, reference, maxLength);

        trained.Save(outFolder, policyFolder);
        return new DpoResult(step, finalValidation, split.Train.Count, split.Validation.Count, validationPairs, skipped) { PlannedSteps = totalSteps };
    }

    /// <summary>One optimizer step on the pairs <paramref name="indices"/> (into <paramref name="examples"/>); its train/* metrics and grad_norm.</summary>
    private Dictionary<string, double> Step(ICausalLanguageModel policy, FusedAdamW optimizer, IReadOnlyList<DpoExample> examples, int[] indices,
        LogProbs reference, int maxLength, double lr)
    {
        using var scope = NewDisposeScope();
        var config = _config;
        optimizer.ZeroGrad();
        using var batch = DpoBatch.Create(indices.Select(i => examples[i]).ToList(), maxLength, config.TruncationMode, policy.PadTokenId);
        var b = indices.Length;
        var (logps, logitSums) = batch.Forward(policy);                                 // [2B], [2B]
        var tokens = batch.CompletionTokens;                                            // [2B]
        var terms = DpoLoss.Compute(logps.narrow(0, 0, b), logps.narrow(0, b, b),
            tensor(indices.Select(i => (float)reference.Chosen[i]).ToArray()), tensor(indices.Select(i => (float)reference.Rejected[i]).ToArray()),
            tokens.narrow(0, 0, b), tokens.narrow(0, b, b), config.Beta, config.LossType, config.LabelSmoothing);
        terms.Loss.backward();
        var gradNorm = optimizer.Step(lr, config.MaxGradNorm);
        optimizer.ZeroGrad();

        var values = Summary("train/", terms.Loss.item<float>(), Doubles(terms.ChosenRewards), Doubles(terms.RejectedRewards), Doubles(logps.detach()),
            Doubles(logitSums), Doubles(tokens));
        values["grad_norm"] = gradNorm;
        return values;
    }

    /// <summary>The eval/* metrics of the policy on the validation pairs, and each pair's implicit rewards.</summary>
    private (Dictionary<string, double> Metrics, IReadOnlyList<ValidationPairResult> Pairs) Evaluate(ICausalLanguageModel policy,
        IReadOnlyList<DpoExample> examples, IReadOnlyList<int> validation, LogProbs reference, int maxLength)
    {
        var config = _config;
        var indices = validation.ToArray();
        var now = Score(policy, examples, indices, maxLength, config);
        double[] Pick(double[] all) => indices.Select(i => all[i]).ToArray();
        var (loss, chosenRewards, rejectedRewards) = DpoLoss.Compute(now.Chosen, now.Rejected, Pick(reference.Chosen), Pick(reference.Rejected),
            now.ChosenTokens, now.RejectedTokens, config.Beta, config.LossType, config.LabelSmoothing);
        var metrics = Summary("eval/", loss, chosenRewards, rejectedRewards, [.. now.Chosen, .. now.Rejected],
            [.. now.ChosenLogitSums, .. now.RejectedLogitSums], [.. now.ChosenTokens, .. now.RejectedTokens]);
        var pairs = indices.Select((e, k) => new ValidationPairResult(examples[e].PairIndex, chosenRewards[k], rejectedRewards[k])).ToArray();
        return (metrics, pairs);
    }

    /// <summary>TRL's nine DPO metrics under <paramref name="prefix"/>; the [2B] arrays hold the chosen rows, then the rejected.</summary>
    internal static Dictionary<string, double> Summary(string prefix, double loss, double[] chosenRewards, double[] rejectedRewards, double[] logps,
        double[] logitSums, double[] tokens)
    {
        var b = chosenRewards.Length;
        return new Dictionary<string, double>
        {
            [prefix + "loss"] = loss,
            [prefix + "rewards/chosen"] = chosenRewards.Average(),
            [prefix + "rewards/rejected"] = rejectedRewards.Average(),
            [prefix + "rewards/accuracies"] = chosenRewards.Zip(rejectedRewards).Average(x => x.First > x.Second ? 1.0 : 0.0),
            [prefix + "rewards/margins"] = chosenRewards.Zip(rejectedRewards).Average(x => x.First - x.Second),
            [prefix + "logps/chosen"] = logps[..b].Average(),
            [prefix + "logps/rejected"] = logps[b..].Average(),
            [prefix + "logits/chosen"] = logitSums[..b].Sum() / Math.Max(1, tokens[..b].Sum()),
            [prefix + "logits/rejected"] = logitSums[b..].Sum() / Math.Max(1, tokens[b..].Sum()),
        };
    }

    /// <summary>
    /// log p(chosen | prompt) and log p(rejected | prompt) of each pair under <paramref name="model"/>: summed over the
    /// response tokens, rendered exactly as training renders them (<see cref="DpoEncoding"/>, no max-length cut beyond the
    /// model's positions, kept from the start). What `rlhf lm-logprob --data` prints.
    /// </summary>
    public static (double Chosen, double Rejected)[] ResponseLogProbs(ICausalLanguageModel model, ModelTokenizer tokenizer, IReadOnlyList<PreferencePair> pairs,
        int batchPairs = 8)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        TorchThreads.EnsureConfigured();
        var examples = pairs.Select((p, i) =>
        {
            var (prompt, chosen, rejected) = DpoEncoding.EncodePair(tokenizer, p.Prompt, p.Chosen, p.Rejected);
            return new DpoExample(i, prompt, chosen, rejected);
        }).ToList();
        var scored = Score(model, examples, Enumerable.Range(0, examples.Count).ToArray(), model.MaxPositions, new DpoConfig { BatchPairs = batchPairs });
        return scored.Chosen.Zip(scored.Rejected).ToArray();
    }

    /// <summary>Summed completion log-probs (and logit sums, token counts) of the chosen and rejected rows of some pairs.</summary>
    internal sealed record LogProbs(double[] Chosen, double[] Rejected, double[] ChosenLogitSums, double[] RejectedLogitSums,
        double[] ChosenTokens, double[] RejectedTokens);

    /// <summary>
    /// The log-probs <paramref name="model"/> gives the pairs <paramref name="indices"/> (no grad), in batches of BatchPairs; the arrays
    /// follow <paramref name="indices"/>. The reference's are computed with this once per run.
    /// </summary>
    internal static LogProbs Score(ICausalLanguageModel model, IReadOnlyList<DpoExample> examples, int[] indices, int maxLength, DpoConfig config)
    {
        var n = indices.Length;
        var result = new LogProbs(new double[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        using var noGrad = no_grad();
        for (var start = 0; start < n; start += config.BatchPairs)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(config.BatchPairs, n - start);
            using var batch = DpoBatch.Create(indices[start..(start + count)].Select(i => examples[i]).ToList(), maxLength, config.TruncationMode, model.PadTokenId);
            var (logps, logitSums) = batch.Forward(model);
            var (lp, ls, tk) = (Doubles(logps), Doubles(logitSums), Doubles(batch.CompletionTokens));
            Array.Copy(lp, 0, result.Chosen, start, count);
            Array.Copy(lp, count, result.Rejected, start, count);
            Array.Copy(ls, 0, result.ChosenLogitSums, start, count);
            Array.Copy(ls, count, result.RejectedLogitSums, start, count);
            Array.Copy(tk, 0, result.ChosenTokens, start, count);
            Array.Copy(tk, count, result.RejectedTokens, start, count);
        }
        return result;
    }

    /// <summary>Null when both tokenizers read text into the same ids; else what differs.</summary>
    internal static string? TokenizerDifference(ModelTokenizer policy, ModelTokenizer reference)
    {
        if (policy.Tokenizer.VocabSize != reference.Tokenizer.VocabSize)
            return $"vocabulary of {reference.Tokenizer.VocabSize} tokens, the policy's has {policy.Tokenizer.VocabSize}";
        if (policy.ChatTemplate.Name != reference.ChatTemplate.Name)
            return $"chat template {reference.ChatTemplate.Name}, the policy's is {policy.ChatTemplate.Name}";
        const string probe = "The quick brown fox, 12 naïve émojis 🙂 and <tags>.";
        if (!policy.Tokenizer.Encode(probe, false).SequenceEqual(reference.Tokenizer.Encode(probe, false)) || policy.Tokenizer.EosTokenId != reference.Tokenizer.EosTokenId)
            return "other ids for the same text";
        return null;
    }

    private static double[] Doubles(Tensor t) => t.detach().to_type(ScalarType.Float64).data<double>().ToArray();
}
