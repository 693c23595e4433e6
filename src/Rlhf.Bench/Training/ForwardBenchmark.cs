using System.Text.Json.Nodes;
using TorchSharp;
using Rlhf.Training;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// `rlhf bench forward`: prefill throughput of a randomly initialised GPT-2 (logits for every position,
/// inference mode) and its model FLOPs utilisation against the matmul rate measured in the same run.
/// tokens/s = batch x seq_len / median forward time; MFU = tokens/s x FLOPs per token / matmul FLOP/s,
/// with FLOPs per token from <see cref="BenchmarkModel.ForwardFlopsPerToken"/>.
/// </summary>
public static class ForwardBenchmark
{
    public sealed record Options : ModelBenchmarkOptions
    {
        public int BatchSize { get; init; } = 16;
        /// <summary>Untimed passes continue until this much time has passed (0 with Warmup 0 = none).</summary>
        public double MinWarmupSeconds { get; init; } = 1.0;

        /// <summary>Null when usable, else a one-line reason naming the option.</summary>
        public string? Problem()
        {
            if (SharedProblem() is string shared) return shared;
            if (BatchSize < 1) return $"batch-size must be at least 1 (got {BatchSize})";
            return null;
        }
    }

    public static JsonObject Run(Options options)
    {
        if (options.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        var threads = TorchThreads.EnsureConfigured();
        var matmul = MatmulBenchmark.Run(options.MatmulSizes, warmup: 1, repeats: options.MatmulRepeats);

        using var model = BenchmarkModel.Create(options.NLayer, options.NEmbd, options.NHead, options.SeqLen,
            options.VocabSize, options.Seed);
        using var ids = BenchmarkModel.RandomIds(options.BatchSize, options.SeqLen, options.VocabSize, options.Seed);
        double[] seconds;
        using (inference_mode())
        {
            seconds = BenchmarkTiming.Measure(() => { using var logits = model.forward(ids); }, options.Warmup, options.Repeats,
                options.MinWarmupSeconds);
        }

        var median = BenchmarkTiming.Median(seconds);
        var tokens = (double)options.BatchSize * options.SeqLen;
        var tokensPerSecond = tokens / median;
        var flopsPerToken = BenchmarkModel.ForwardFlopsPerToken(options.NLayer, options.NEmbd, options.VocabSize, options.SeqLen);
        var achieved = tokensPerSecond * flopsPerToken;
        var peak = matmul.BestGflops * 1e9;
        return options.Result("forward", threads, BenchmarkTiming.Round(matmul.BestGflops), matmul, new JsonObject
        {
            ["batch_size"] = options.BatchSize,
            ["parameters_non_embedding"] = BenchmarkModel.NonEmbeddingParameters(options.NLayer, options.NEmbd, options.VocabSize),
            ["flops_per_token"] = flopsPerToken,
            ["flops_formula"] = "2*N + 4*n_layer*n_embd*seq_len, N = parameters without wpe (wte counted as the tied LM head); nanoGPT estimate_mfu / 3",
            ["warmup"] = options.Warmup,
            ["min_warmup_s"] = options.MinWarmupSeconds,
            ["repeats"] = options.Repeats,
            ["forward_ms_median"] = BenchmarkTiming.Round(median * 1e3),
            ["forward_ms_best"] = BenchmarkTiming.Round(seconds.Min() * 1e3),
            ["tokens_per_s"] = BenchmarkTiming.Round(tokensPerSecond),
            ["achieved_gflops"] = BenchmarkTiming.Round(achieved / 1e9),
            ["mfu"] = BenchmarkTiming.Round(achieved / peak),
            ["load_avg_1m"] = BenchmarkTiming.LoadAverage(),
        });
    }
}
