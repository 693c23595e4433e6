using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Reward;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench reward`: reward-model training throughput, the same step <see cref="RewardTrainer"/> runs
/// (chosen and rejected rows in one [2B, T] forward, Bradley-Terry loss, backward, grad clipping, AdamW), on a
/// randomly initialised GPT-2 reward model with rows of exactly seq_len random tokens (no padding), and its model
/// FLOPs utilisation against the fp32 matmul rate measured in the same run with the same thread count.
/// <para>FLOPs per trained token (forward + backward), nanoGPT's estimate_mfu:
/// 6 N + 12 n_layer n_embd T, where N = the parameters of the transformer blocks + ln_f + the score head (the
/// embeddings are lookups, not matmuls, and there is no LM head: unlike the LM benchmark, no 2 n_embd V term), and
/// 12 n_layer n_embd T counts the attention scores and the weighted sum of values (full T x T, causal half not
/// subtracted). tokens/s = 2 x batch_pairs x seq_len / median step time; MFU = tokens/s x FLOPs per token /
/// matmul FLOP/s. The step time includes the AdamW update of every parameter, the embeddings included
/// (memory-bound work the formula does not count); "mfu_forward_backward" leaves the optimizer out.</para>
/// </summary>
public static class RewardBenchmark
{
    public sealed record Options : ModelBenchmarkOptions
    {
        /// <summary>Pairs per step: 2 x BatchPairs sequences go through the model.</summary>
        public int BatchPairs { get; init; } = 8;
        /// <summary>torch threads for this run only (restored afterwards); null = one per core.</summary>
        public int? Threads { get; init; }

        /// <summary>Null when usable, else a one-line reason naming the option.</summary>
        public string? Problem()
        {
            if (SharedProblem() is string shared) return shared;
            if (BatchPairs < 1) return $"batch-pairs must be at least 1 (got {BatchPairs})";
            if (Threads is < 1) return $"threads must be at least 1 (got {Threads})";
            return null;
        }
    }

    /// <summary>Parameters the training FLOPs count: the blocks, ln_f and the score head (no embeddings, no LM head).</summary>
    public static long CountedParameters(int nLayer, int nEmbd, int? nInner = null)
        => BenchmarkModel.BlockParameters(nLayer, nEmbd, nInner) + nEmbd;   // blocks + ln_f + score

    /// <summary>Training (forward + backward) FLOPs per token: 6 N + 12 n_layer n_embd T, N = <see cref="CountedParameters"/>.</summary>
    public static double TrainingFlopsPerToken(int nLayer, int nEmbd, int seqLen)
        => 6.0 * CountedParameters(nLayer, nEmbd) + 12.0 * nLayer * nEmbd * (double)seqLen;

    public static JsonObject Run(Options options)
    {
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        TorchThreads.EnsureConfigured();
        var previousThreads = torch.get_num_threads();
        var threads = options.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);
        try
        {
            return Measure(options, threads);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private static JsonObject Measure(Options options, int threads)
    {
        var matmul = MatmulBenchmark.Run(options.MatmulSizes, warmup: 1, repeats: options.MatmulRepeats);

        using var model = CreateModel(options);
        var config = new RewardTrainingConfig { LearningRate = 1e-5 };
        using var optimizer = new RewardOptimizer(model, config);
        var random = new Random(options.Seed);
        var rows = Enumerable.Range(0, 2 * options.BatchPairs)
            .Select(_ => Enumerable.Range(0, options.SeqLen).Select(_ => random.Next(options.VocabSize - 1)).ToArray())
            .ToArray();

        // The full training step, as RewardTrainer runs it (batch building included).
        var stepSeconds = BenchmarkTiming.Measure(() =>
        {
            using var batch = RewardBatch.Create(rows, Gpt2Config.EndOfTextTokenId);
            optimizer.Step(batch, null, config.LearningRate);
        }, options.Warmup, options.Repeats);

        // Forward + backward only (no clipping, no AdamW): where the model FLOPs are. Gradients released first, as in the step.
        var parameters = model.parameters().ToArray();
        var fwdBwdSeconds = BenchmarkTiming.Measure(() =>
        {
            using var batch = RewardBatch.Create(rows, Gpt2Config.EndOfTextTokenId);
            using var scope = NewDisposeScope();
            foreach (var p in parameters) p.grad = null;
            var rewards = batch.Rewards(model);
            var terms = RewardLoss.Compute(rewards.narrow(0, 0, options.BatchPairs), rewards.narrow(0, options.BatchPairs, options.BatchPairs));
            terms.Loss.backward();
        }, options.Warmup, options.Repeats);

        var tokens = 2.0 * options.BatchPairs * options.SeqLen;
        var flopsPerToken = TrainingFlopsPerToken(options.NLayer, options.NEmbd, options.SeqLen);
        var peak = matmul.BestGflops * 1e9;
        var step = BenchmarkTiming.Median(stepSeconds);
        var fwdBwd = BenchmarkTiming.Median(fwdBwdSeconds);
        var tokensPerSecond = tokens / step;
        var achieved = tokensPerSecond * flopsPerToken;
        var achievedFwdBwd = tokens / fwdBwd * flopsPerToken;
        return options.Result("reward", threads, Math.Round(matmul.BestGflops, 2), matmul, new JsonObject
        {
            ["batch_pairs"] = options.BatchPairs,
            ["sequences_per_step"] = 2 * options.BatchPairs,
            ["parameters"] = parameters.Sum(p => p.numel()),
            ["parameters_counted"] = CountedParameters(options.NLayer, options.NEmbd),
            ["flops_per_token"] = flopsPerToken,
            ["flops_formula"] = "6*N + 12*n_layer*n_embd*seq_len per token (forward+backward, nanoGPT estimate_mfu); " +
                                "N = transformer blocks + ln_f + score head; no LM head, so no wte matmul; embeddings are lookups",
            ["repeats"] = options.Repeats,
            ["step_ms_median"] = Math.Round(step * 1e3, 3),
            ["step_ms_best"] = Math.Round(stepSeconds.Min() * 1e3, 3),
            ["forward_backward_ms_median"] = Math.Round(fwdBwd * 1e3, 3),
            ["optimizer_ms_estimate"] = Math.Round((step - fwdBwd) * 1e3, 3),
            ["tokens_per_s"] = Math.Round(tokensPerSecond, 1),
            ["achieved_gflops"] = BenchmarkTiming.Round(achieved / 1e9),
            ["mfu"] = BenchmarkTiming.Round(achieved / peak),
            ["mfu_forward_backward"] = BenchmarkTiming.Round(achievedFwdBwd / peak),
        });
    }

    /// <summary>A random GPT-2 reward model: GPT-2 init (<see cref="BenchmarkModel.Create"/>) for the backbone, N(0, 1/sqrt(d+1)) for the head.</summary>
    private static Gpt2ForSequenceClassification CreateModel(Options options)
    {
        using var lm = BenchmarkModel.Create(options.NLayer, options.NEmbd, options.NHead, options.SeqLen, options.VocabSize, options.Seed);
        var model = new Gpt2ForSequenceClassification(lm.Config with { PadTokenId = Gpt2Config.EndOfTextTokenId });
        var source = lm.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
                if (source.TryGetValue(name, out var s)) p.copy_(s);
        }
        using var generator = new Generator((ulong)options.Seed + 1);
        Gpt2Checkpoint.InitScoreHead(model, generator);
        model.train();
        return model;
    }
}
