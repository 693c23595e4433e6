using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// Trains a reward model of any supported family (HF GPT2/Llama/Qwen2/Qwen3ForSequenceClassification, num_labels 1) on
/// preference pairs, as TRL's RewardTrainer does. The base folder is loaded with <see cref="ModelLoader"/> and its
/// tokenizer and chat template with <see cref="ModelTokenizer"/>.
/// <list type="bullet">
/// <item>Model: the base checkpoint's backbone + score = Linear(hidden, 1, bias=false), read at the last real
/// token. From a policy (LM) checkpoint the head is initialised N(0, 1/sqrt(hidden + 1)) from torch.Generator(seed);
/// a reward checkpoint keeps its head. No dropout.</item>
/// <item>Text: the prompt in the model's chat template with the generation cue, then the response, no end-of-turn
/// token (<see cref="ChatPrompts.EncodeWithResponse"/>; GPT-2: "User: {prompt}\nAssistant: {response}"), cut to
/// min(MaxLength, max positions) tokens keeping the END; right padding with the model's pad id and an attention
/// mask; the last real token is found from the mask. Chosen and rejected rows go through one forward pass ([2B, T]).</item>
/// <item>Loss: <see cref="RewardLoss"/> (Bradley-Terry, optional margin and centering). AdamW, cosine schedule
/// with linear warm-up decaying towards 0 one step after the last (like HF's get_cosine_schedule_with_warmup),
/// grad clipping, one dispose scope per step.</item>
/// <item>Split: <see cref="PreferenceSplit"/> (by group, seeded). Data order: <see cref="DataOrder"/>.</item>
/// <item>After the last step the rewards of a GPT-2 model are shifted (<see cref="RewardCentering"/>) so the mean
/// reward of the training split's chosen and rejected responses is 0 (a Llama-family model has no bias its final
/// RMSNorm could carry the shift in, so it is not shifted: RewardShift 0), the validation split is scored, and the
/// model is saved with <see cref="ModelSaver"/> in the HF layout with the base folder's tokenizer files.</item>
/// <item>LoRA (<see cref="RewardTrainingConfig.Lora"/>, <see cref="TrainedWeights"/>): the base is frozen and an adapter
/// trains, with the score head when TrainScoreHead; the output is the adapter in PEFT's layout, holding the head
/// ("score.weight", modules_to_save) either way, as a base LM has none. A LoRA reward model is not shifted (the shift
/// would change a frozen base weight): reward_shift 0, as for the Llama family.</item>
/// </list>
/// <para>Checkpoints and resume: with a checkpoint folder, a checkpoint (<see cref="RewardCheckpoint"/>) is saved
/// every CheckpointEvery steps and when the run is cancelled. When the folder already holds one, Train resumes from
/// it: the weights, the AdamW moments and step counts, the global step (and so the learning-rate schedule and the
/// epoch) and the data order (the split and each epoch's shuffle are recomputed from the seed, and the batches
/// already done are skipped) are all restored; metrics of the steps before the checkpoint are not sent again.
/// Resuming needs the same pairs and the same settings (EvalEvery and CheckpointEvery may differ); otherwise Train
/// throws <see cref="CheckpointMismatchException"/>. When resuming, the base folder gives only the tokenizer and the config saved with the model.</para>
/// <para>Cancellation is checked before every step; on cancel a checkpoint is saved (when a folder is given and
/// steps were made since the last one) and <see cref="OperationCanceledException"/> is thrown.</para>
/// </summary>
public sealed class RewardTrainer
{
    private readonly RewardTrainingConfig _config;

    public RewardTrainer(RewardTrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        _config = config;
    }

    public RewardTrainingConfig Config => _config;

    /// <summary>The step a run in <paramref name="checkpointFolder"/> would resume after, or null when it holds no checkpoint.</summary>
    public static long? CheckpointedStep(string checkpointFolder) => RewardCheckpoint.TryLoad(checkpointFolder)?.Common.Step;

    /// <summary>
    /// Trains from a policy (LM) or reward checkpoint folder and writes the reward model (HF layout,
    /// GPT2ForSequenceClassification) to <paramref name="outFolder"/>. See the class remarks for checkpoints.
    /// </summary>
    public RewardTrainingResult Train(string baseFolder, IReadOnlyList<PreferencePair> pairs, string outFolder, string? checkpointFolder,
        Action<RewardMetrics> onMetrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        CheckPairs(pairs, _config.UseMargin);
        cancellationToken.ThrowIfCancellationRequested();
        TorchThreads.EnsureConfigured();
        var config = _config;

        var split = PreferenceSplit.Create(pairs, config.ValidationFraction, config.Seed);
        var order = new DataOrder(split.Train, config.BatchPairs, config.Seed);
        var stepsPerEpoch = order.StepsPerEpoch;
        long totalSteps = (long)config.Epochs * stepsPerEpoch;
        var key = RewardCheckpoint.KeyOf(config, pairs, totalSteps);
        var resume = checkpointFolder is null ? null : RewardCheckpoint.TryLoad(checkpointFolder);
        resume?.Common.EnsureFits(key);

        using var generator = new Generator(unchecked((ulong)config.Seed));
        var tokenizer = LoadTokenizer(baseFolder);
        using var model = resume is null || LoraFiles.IsAdapter(resume.ModelFolder)
            ? ModelLoader.LoadRewardModel(baseFolder, initScoreIfMissing: true, generator)
            : ModelLoader.LoadRewardModel(resume.ModelFolder);
        model.ComputeDtype = ComputePrecision.Parse(config.ComputeDtype);
        using var trained = TrainedWeights.Attach(model, config.Lora, resume?.ModelFolder, generator, scoreHead: true);
        model.Module.train();   // no dropout in the model: train and eval compute the same
        var padId = model.PadTokenId;
        var maxLength = Math.Min(config.MaxLength, model.MaxPositions);

        var chosen = new int[pairs.Count][];
        var rejected = new int[pairs.Count][];
        for (var i = 0; i < pairs.Count; i++)
        {
            chosen[i] = RewardBatch.Encode(tokenizer, pairs[i].Prompt, pairs[i].Chosen, maxLength);
            rejected[i] = RewardBatch.Encode(tokenizer, pairs[i].Prompt, pairs[i].Rejected, maxLength);
        }
        var margins = config.UseMargin ? pairs.Select(p => p.Margin).ToArray() : null;

        var warmup = (int)Math.Ceiling(config.WarmupRatio * totalSteps);

        using var optimizer = new RewardOptimizer(model, config, trained.Parameters);
        if (resume is not null) optimizer.Load(resume.Common.OptimizerPath);
        var step = resume?.Common.Step ?? 0;
        var lastSaved = step;

        void SaveCheckpoint()
        {
            if (checkpointFolder is null || step == lastSaved) return;
            RewardCheckpoint.Save(checkpointFolder, key, trained, baseFolder, optimizer, step, stepsPerEpoch, split.Train.Count, split.Validation.Count);
            lastSaved = step;
        }

        Dictionary<string, double>? pending = null;
        while (step < totalSteps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                throw new OperationCanceledException("the reward run was cancelled", cancellationToken);
            }

            var indices = order.Batch(step);
            var lr = LearningRateSchedule.At(checked((int)step), checked((int)totalSteps + 1), config.LearningRate, 0.0, warmup);
            RewardStepStats stats;
            using (var batch = RewardBatch.Create([.. indices.Select(i => chosen[i]), .. indices.Select(i => rejected[i])], padId))
            using (var marginTensor = margins is null ? null : tensor(indices.Select(i => (float)margins[i]).ToArray()))
            {
                stats = optimizer.Step(batch, marginTensor, lr);
            }
            step++;

            var epoch = (double)step / stepsPerEpoch;
            var values = new Dictionary<string, double>
            {
                ["train/loss"] = stats.Loss,
                ["train/accuracy"] = stats.Accuracy,
                ["train/margin"] = stats.Margin,
                ["train/mean_reward"] = stats.MeanReward,
                ["train/min_reward"] = stats.MinReward,
                ["train/max_reward"] = stats.MaxReward,
                ["grad_norm"] = stats.GradNorm,
                ["lr"] = lr,
                ["epoch"] = epoch,
            };
            if (step == totalSteps)
            {
                pending = values;   // sent after the shift, with the final evaluation
                break;
            }
            if (split.Validation.Count > 0 && step % config.EvalEvery == 0)
                AddEval(values, Evaluate(model, split.Validation, chosen, rejected, margins, config, padId).Metrics);
            onMetrics?.Invoke(new RewardMetrics(step, epoch, values));
            if (step % config.CheckpointEvery == 0) SaveCheckpoint();
        }

        // Centre: the mean reward of the training split's responses becomes 0.
        var (trainChosen, trainRejected) = ScorePairs(model, split.Train, chosen, rejected, config.BatchPairs * 2, padId);
        var mean = (trainChosen.Sum() + trainRejected.Sum()) / (2.0 * split.Train.Count);
        var shift = 0.0;
        if (model is Gpt2ForSequenceClassification gpt2 && !trained.IsLora)
        {
            shift = -mean;
            RewardCentering.Apply(gpt2, shift);
        }

        var final = Evaluate(model, split.Validation, chosen, rejected, margins, config, padId);
        var last = pending ?? new Dictionary<string, double> { ["epoch"] = (double)totalSteps / stepsPerEpoch };
        if (split.Validation.Count > 0) AddEval(last, final.Metrics);
        last["reward_shift"] = shift;
        onMetrics?.Invoke(new RewardMetrics(totalSteps, (double)totalSteps / stepsPerEpoch, last));

        trained.Save(outFolder, baseFolder);
        return new RewardTrainingResult(totalSteps, final.Metrics.Accuracy, final.Metrics.Loss, shift,
            split.Train.Count, split.Validation.Count, final.Pairs);
    }

    /// <summary>
    /// The reward of one response, with the training template and truncation: "User: {prompt}\nAssistant: {response}",
    /// the last min(maxLength, n_positions) tokens, the score at the last token.
    /// </summary>
    public static double Score(Gpt2ForSequenceClassification model, string prompt, string response, int maxLength)
        => Score(model, ChatPrompts.Gpt2Demo, [(prompt, response)], maxLength)[0];

    /// <summary>Rewards of many GPT-2 demo-template responses (see the overload with a tokenizer).</summary>
    public static double[] Score(Gpt2ForSequenceClassification model, IReadOnlyList<(string Prompt, string Response)> items, int maxLength,
        int batchSize = 16) => Score(model, ChatPrompts.Gpt2Demo, items, maxLength, batchSize);

    private static ModelTokenizer LoadTokenizer(string folder) => ModelTokenizers.LoadRenderable(folder);

    /// <summary>
    /// Rewards of many responses in the model's chat template (<see cref="RewardBatch.Encode(ModelTokenizer, string, string, int)"/>),
    /// right-padded into batches of <paramref name="batchSize"/> (same numbers as one by one).
    /// </summary>
    public static double[] Score(IRewardModel model, ModelTokenizer tokenizer, IReadOnlyList<(string Prompt, string Response)> items, int maxLength,
        int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), "maxLength must be >= 1");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "batchSize must be >= 1");
        TorchThreads.EnsureConfigured();
        var length = Math.Min(maxLength, model.MaxPositions);
        var rows = items.Select(x => RewardBatch.Encode(tokenizer, x.Prompt ?? "", x.Response ?? "", length)).ToArray();
        var result = new double[rows.Length];
        using var noGrad = no_grad();
        for (var start = 0; start < rows.Length; start += batchSize)
        {
            var count = Math.Min(batchSize, rows.Length - start);
            using var batch = RewardBatch.Create(rows[start..(start + count)], model.PadTokenId);
            using var rewards = batch.Rewards(model);
            var values = rewards.to_type(ScalarType.Float64).data<double>().ToArray();
            Array.Copy(values, 0, result, start, count);
        }
        return result;
    }

    private static void CheckPairs(IReadOnlyList<PreferencePair> pairs, bool useMargin)
    {
        if (pairs.Count == 0) throw new ArgumentException("no preference pairs given", nameof(pairs));
        for (var i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i] ?? throw new ArgumentException($"pair {i} is null", nameof(pairs));
            if (p.Prompt is null || p.Chosen is null || p.Rejected is null || p.Group is null)
                throw new ArgumentException($"pair {i} has a null prompt, response or group", nameof(pairs));
            if (useMargin && !double.IsFinite(p.Margin))
                throw new ArgumentException($"pair {i} has margin {p.Margin}, expected a finite number", nameof(pairs));
        }
    }

    private static void AddEval(Dictionary<string, double> values, EvalMetrics eval)
    {
        values["eval/loss"] = eval.Loss;
        values["eval/accuracy"] = eval.Accuracy;
        values["eval/margin"] = eval.Margin;
        values["eval/mean_reward"] = eval.MeanReward;
        values["eval/min_reward"] = eval.MinReward;
        values["eval/max_reward"] = eval.MaxReward;
    }

    private sealed record EvalMetrics(double Loss, double Accuracy, double Margin, double MeanReward, double MinReward, double MaxReward);

    private sealed record EvalResult(EvalMetrics Metrics, IReadOnlyList<ValidationPairResult> Pairs);

    private static EvalResult Evaluate(IRewardModel model, IReadOnlyList<int> indices, int[][] chosen, int[][] rejected,
        double[]? margins, RewardTrainingConfig config, int padId)
    {
        if (indices.Count == 0)
            return new EvalResult(new EvalMetrics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN), []);
        var (rc, rr) = ScorePairs(model, indices, chosen, rejected, config.BatchPairs * 2, padId);
        var m = margins is null ? null : indices.Select(i => margins[i]).ToArray();
        var loss = RewardLoss.Compute(rc, rr, m, config.CenterRewardsCoefficient);
        var all = rc.Concat(rr).ToArray();
        var metrics = new EvalMetrics(loss.Loss, loss.Accuracy, loss.Margin, loss.MeanReward, all.Min(), all.Max());
        var pairs = indices.Select((pairIndex, k) => new ValidationPairResult(pairIndex, rc[k], rr[k])).ToArray();
        return new EvalResult(metrics, pairs);
    }

    /// <summary>Rewards of the chosen and rejected responses of the given pairs (no grad), in batches of pairsPerBatch pairs.</summary>
    private static (double[] Chosen, double[] Rejected) ScorePairs(IRewardModel model, IReadOnlyList<int> indices,
        int[][] chosen, int[][] rejected, int pairsPerBatch, int padId)
    {
        var rc = new double[indices.Count];
        var rr = new double[indices.Count];
        using var noGrad = no_grad();
        for (var start = 0; start < indices.Count; start += pairsPerBatch)
        {
            var count = Math.Min(pairsPerBatch, indices.Count - start);
            var slice = Enumerable.Range(start, count).Select(k => indices[k]).ToArray();
            using var batch = RewardBatch.Create([.. slice.Select(i => chosen[i]), .. slice.Select(i => rejected[i])], padId);
            using var rewards = batch.Rewards(model);
            var values = rewards.to_type(ScalarType.Float64).data<double>().ToArray();
            Array.Copy(values, 0, rc, start, count);
            Array.Copy(values, count, rr, start, count);
        }
        return (rc, rr);
    }
}
