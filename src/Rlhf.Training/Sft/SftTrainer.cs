using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Sft;

/// <summary>
/// Supervised fine-tuning of a causal LM of any supported family on demonstrations, as TRL's SFTTrainer does with
/// completion_only_loss / assistant_only_loss.
/// <list type="bullet">
/// <item>Model and text: <see cref="ModelLoader"/> and <see cref="ModelTokenizer"/> of the base folder; each example is
/// rendered with the model's own chat template and masked by <see cref="SftEncoding"/> (only assistant tokens carry loss).
/// Every example is checked first; all bad ones are reported together (<see cref="SftDataException"/>, "line 3: ...").</item>
/// <item>Split: by prompt (<see cref="PreferenceSplit"/> over the examples' groups, seeded). Rows: one example each, or
/// with packing several whole examples per row of MaxLength tokens (first fit, in the examples' order). Data order:
/// <see cref="DataOrder"/> over the rows (each epoch reshuffled from the seed).</item>
/// <item>Loss: mean next-token cross-entropy over the loss tokens of the batch. AdamW (<see cref="FusedAdamW"/>, clipping
/// folded in), linear warm-up then cosine decay to 0 one step after the last, one dispose scope per step.</item>
/// <item>LoRA (<see cref="SftConfig.Lora"/>): <see cref="LoraAdapter.Apply"/> freezes the base; only the adapter trains,
/// and the output is the adapter in PEFT's layout (merge it with <see cref="LoraMerge"/>). Otherwise the output is the
/// full model in the HF layout. The base's tokenizer files are copied either way.</item>
/// <item>Samples: every SampleEvery steps and after the last, greedy replies to the first SamplePrompts validation prompts.</item>
/// </list>
/// <para>Checkpoints and resume, as the reward trainer: with a checkpoint folder, a checkpoint (<see cref="SftCheckpoint"/>)
/// every CheckpointEvery steps and on cancel; a folder that holds one is resumed from (weights or adapter, AdamW state,
/// step, num_tokens; the split and order are recomputed from the seed) and a resumed run ends as the uninterrupted one
/// would. It needs the same examples and settings (else <see cref="CheckpointMismatchException"/>). The base folder is
/// read again when resuming a LoRA run (the adapter sits on it).</para>
/// </summary>
public sealed class SftTrainer
{
    private readonly SftConfig _config;

    public SftTrainer(SftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        _config = config;
    }

    public SftConfig Config => _config;

    /// <summary>The step a run in <paramref name="checkpointFolder"/> would resume after, or null when it holds no checkpoint.</summary>
    public static long? CheckpointedStep(string checkpointFolder) => SftCheckpoint.TryLoad(checkpointFolder)?.Common.Step;

    /// <summary>
    /// Every example's ids and loss mask for the model of <paramref name="tokenizer"/>; all problems together as one
    /// <see cref="SftDataException"/>.
    /// </summary>
    public static SftSequence[] EncodeAll(IReadOnlyList<SftExample> examples, ModelTokenizer tokenizer, int maxLength)
    {
        var sequences = new SftSequence[examples.Count];
        var problems = new List<string>();
        for (var i = 0; i < examples.Count; i++)
        {
            try
            {
                sequences[i] = SftEncoding.Encode(examples[i], tokenizer, maxLength);
            }
            catch (FormatException e)
            {
                problems.Add(examples[i].Where(i) + e.Message);
            }
        }
        if (problems.Count > 0) throw new SftDataException(problems);
        return sequences;
    }

    public SftResult Train(string baseFolder, IReadOnlyList<SftExample> examples, string outFolder, string? checkpointFolder,
        Action<SftMetrics>? onMetrics, Action<IReadOnlyList<SftSample>>? onSamples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        if (examples.Count == 0) throw new SftDataException(["no examples given"]);
        cancellationToken.ThrowIfCancellationRequested();
        TorchThreads.EnsureConfigured();
        var config = _config;

        var tokenizer = ModelTokenizer.Load(baseFolder);
        var resume = checkpointFolder is null ? null : SftCheckpoint.TryLoad(checkpointFolder);
        using var model = ModelLoader.LoadLanguageModel(resume is { Lora: false } ? resume.ModelFolder : baseFolder);
        var maxLength = Math.Min(config.MaxLength, model.MaxPositions);
        var sequences = EncodeAll(examples, tokenizer, maxLength);

        var split = PreferenceSplit.Create(examples.Select(e => e.Group).ToList(), config.ValidationFraction, config.Seed);
        var rows = config.Packing ? Pack(split.Train, sequences, maxLength) : split.Train.Select(i => new[] { i }).ToArray();
        var order = new DataOrder(Enumerable.Range(0, rows.Length).ToArray(), config.BatchSize, config.Seed);
        var stepsPerEpoch = order.StepsPerEpoch;
        long totalSteps = (long)config.Epochs * stepsPerEpoch;
        var key = SftCheckpoint.KeyOf(config, examples, totalSteps);
        resume?.Common.EnsureFits(key);

        using var generator = new Generator(unchecked((ulong)config.Seed));
        using var adapter = config.Lora is null ? null
            : resume is null ? LoraAdapter.Apply(model.Module, model.ModelType, config.Lora, generator)
            : LoraAdapter.Load(model.Module, model.ModelType, resume.ModelFolder);
        if (adapter is not null && resume is not null && adapter.Config != config.Lora with { TargetModules = adapter.Config.TargetModules })
            throw new CheckpointMismatchException(checkpointFolder!, $"the adapter in {resume.ModelFolder} has other LoRA settings than this run");
        var trainable = adapter?.NamedParameters.ToList() ?? model.Module.named_parameters().ToList();
        using var optimizer = new FusedAdamW(trainable, config.AdamEpsilon, config.WeightDecay, beta1: 0.9, beta2: 0.999);
        if (resume is not null) optimizer.Load(resume.Common.OptimizerPath);

        var warmup = (int)Math.Ceiling(config.WarmupRatio * totalSteps);
        var step = resume?.Common.Step ?? 0;
        var numTokens = resume?.NumTokens ?? 0;
        var lastSaved = step;
        var samplePrompts = split.Validation.Take(config.SamplePrompts).ToArray();

        void SaveModel(string folder)
        {
            if (adapter is not null) adapter.Save(folder, Path.GetFullPath(baseFolder));
            else ModelSaver.Save(model, baseFolder, folder);
        }
        void SaveCheckpoint()
        {
            if (checkpointFolder is null || step == lastSaved) return;
            SftCheckpoint.Save(checkpointFolder, key, SaveModel, optimizer, step, stepsPerEpoch, numTokens, adapter is not null);
            lastSaved = step;
        }

        model.Module.train();
        var final = (Loss: double.NaN, Accuracy: double.NaN);
        while (step < totalSteps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                throw new OperationCanceledException("the SFT run was cancelled", cancellationToken);
            }

            var lr = LearningRateSchedule.At(checked((int)step), checked((int)totalSteps + 1), config.LearningRate, 0.0, warmup);
            double loss, accuracy, gradNorm;
            using (var batch = SftBatch.Create(order.Batch(step).Select(r => (IReadOnlyList<SftSequence>)rows[r].Select(i => sequences[i]).ToList()).ToList(), model.PadTokenId))
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var logits = model.forward(batch.InputIds);                                     // [B, T, V]
                var (lossSum, correct, count) = batch.TokenLoss(logits);
                var n = Math.Max(1L, count.item<long>());
                var mean = lossSum / n;                                                          // []
                mean.backward();
                gradNorm = optimizer.Step(lr, config.MaxGradNorm);                               // clip + AdamW, fused
                optimizer.ZeroGrad();
                loss = mean.item<float>();
                accuracy = correct.item<long>() / (double)n;
                numTokens += batch.Tokens;
            }
            step++;

            var epoch = (double)step / stepsPerEpoch;
            var values = new Dictionary<string, double>
            {
                ["loss"] = loss,
                ["mean_token_accuracy"] = accuracy,
                ["num_tokens"] = numTokens,
                ["grad_norm"] = gradNorm,
                ["learning_rate"] = lr,
                ["epoch"] = epoch,
            };
            if (split.Validation.Count > 0 && (step % config.EvalEvery == 0 || step == totalSteps))
            {
                final = Evaluate(model, split.Validation, sequences, config.BatchSize);
                values["eval_loss"] = final.Loss;
                values["eval_mean_token_accuracy"] = final.Accuracy;
            }
            onMetrics?.Invoke(new SftMetrics(step, totalSteps, epoch, values));
            if (samplePrompts.Length > 0 && config.SampleEvery > 0 && (step % config.SampleEvery == 0 || step == totalSteps))
                onSamples?.Invoke(Sample(model, tokenizer, samplePrompts.Select(i => (examples[i], sequences[i])).ToList(), config.SampleMaxNewTokens, step));
            if (step % config.CheckpointEvery == 0 && step < totalSteps) SaveCheckpoint();
        }

        model.Module.eval();
        SaveModel(outFolder);
        if (adapter is not null) ModelFiles.CopyCompanions(baseFolder, outFolder);
        return new SftResult(totalSteps, split.Train.Count, split.Validation.Count, numTokens, final.Loss, final.Accuracy, adapter is not null);
    }

    /// <summary>
    /// The mean next-token loss and accuracy of <paramref name="model"/> over the loss tokens of the given examples
    /// (token-weighted, no grad, eval mode): the held-out log-likelihood of their completions is -loss per token.
    /// </summary>
    public static (double Loss, double Accuracy) Evaluate(ICausalLanguageModel model, IReadOnlyList<int> indices, IReadOnlyList<SftSequence> sequences,
        int batchSize)
    {
        var wasTraining = model.Module.training;
        model.Module.eval();
        try
        {
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0, count = 0;
            for (var start = 0; start < indices.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var rows = indices.Skip(start).Take(batchSize).Select(i => (IReadOnlyList<SftSequence>)[sequences[i]]).ToList();
                using var batch = SftBatch.Create(rows, model.PadTokenId);
                var (sum, right, n) = batch.TokenLoss(model.forward(batch.InputIds));
                lossSum += sum.to_type(ScalarType.Float64).item<double>();
                correct += right.item<long>();
                count += n.item<long>();
            }
            return count == 0 ? (double.NaN, double.NaN) : (lossSum / count, correct / (double)count);
        }
        finally
        {
            if (wasTraining) model.Module.train();
        }
    }

    /// <summary>Greedy replies to the examples' prompts (their tokens before the first assistant turn).</summary>
    private static IReadOnlyList<SftSample> Sample(ICausalLanguageModel model, ModelTokenizer tokenizer,
        IReadOnlyList<(SftExample Example, SftSequence Sequence)> prompts, int maxNewTokens, long step)
    {
        var ids = prompts.Select(p => (IReadOnlyList<int>)p.Sequence.Ids[..p.Sequence.PromptLength]).ToList();
        var newTokens = Math.Min(maxNewTokens, model.MaxPositions - ids.Max(p => p.Count));
        if (newTokens < 1) return [];
        var eos = model.EosTokenIds.Count > 0 ? model.EosTokenIds[0] : model.PadTokenId;
        model.Module.eval();
        try
        {
            using var result = Sampler.Generate(model, ids,
                new GenerationConfig { MaxNewTokens = newTokens, Temperature = 0, EosTokenId = eos, PadTokenId = model.PadTokenId });
            return result.TokenRows().Select((tokens, b) =>
            {
                var hasEos = tokens.Length > 0 && model.EosTokenIds.Contains(tokens[^1]);
                var reply = tokenizer.Tokenizer.Decode(hasEos ? tokens[..^1] : tokens, skipSpecialTokens: true);
                var prompt = prompts[b].Example.Prompt.LastOrDefault(m => m.Role == ChatMessage.User)?.Content ?? "";
                return new SftSample(step, prompt, reply, hasEos);
            }).ToList();
        }
        finally
        {
            model.Module.train();
        }
    }

    /// <summary>Whole examples into rows of at most <paramref name="maxLength"/> tokens: each goes to the first row it fits in.</summary>
    private static int[][] Pack(IReadOnlyList<int> train, IReadOnlyList<SftSequence> sequences, int maxLength)
    {
        var rows = new List<(List<int> Members, int Length)>();
        foreach (var i in train)
        {
            var length = sequences[i].Ids.Length;
            var row = rows.FindIndex(r => r.Length + length <= maxLength);
            if (row < 0) rows.Add(([i], length));
            else rows[row] = (rows[row].Members.Append(i).ToList(), rows[row].Length + length);
        }
        return rows.Select(r => r.Members.ToArray()).ToArray();
    }
}
