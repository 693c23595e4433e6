using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// Measures the fp32 matmul rate of this machine with the current torch thread count: square n x n
/// matmuls (2 n^3 FLOPs each), best of several runs per size. The best rate over all sizes is the
/// denominator of the MFU the other benchmarks report ("measured peak", not a datasheet number).
/// </summary>
public static class MatmulBenchmark
{
    public sealed record SizeResult(int N, double BestGflops, double MedianGflops);

    public sealed record Result(IReadOnlyList<SizeResult> Sizes)
    {
        /// <summary>Best GFLOP/s over all sizes.</summary>
        public double BestGflops => Sizes.Max(s => s.BestGflops);

        public JsonArray ToJson() => new(Sizes.Select(s => (JsonNode)new JsonObject
        {
            ["n"] = s.N,
            ["best_gflops"] = BenchmarkTiming.Round(s.BestGflops),
            ["median_gflops"] = BenchmarkTiming.Round(s.MedianGflops),
        }).ToArray());
    }

    public static Result Run(IReadOnlyList<int> sizes, int warmup = 1, int repeats = 5)
    {
        if (sizes.Count == 0) throw new ArgumentException("no matmul sizes given", nameof(sizes));
        var results = new List<SizeResult>();
        using var inference = inference_mode();
        using var generator = new Generator(0);
        foreach (var n in sizes)
        {
            using var scope = NewDisposeScope();
            var a = randn([n, n], generator: generator);
            var b = randn([n, n], generator: generator);
            var seconds = BenchmarkTiming.Measure(() => { using var c = a.matmul(b); }, warmup, repeats);
            var flops = 2.0 * n * n * (double)n;
            results.Add(new SizeResult(n, flops / seconds.Min() / 1e9, flops / BenchmarkTiming.Median(seconds) / 1e9));
        }
        return new Result(results);
    }
}
