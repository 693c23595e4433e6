using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Bench.Training;

/// <summary>
/// Measures the matmul rate of this machine with the current torch thread count: square n x n
/// matmuls (2 n^3 FLOPs each) in float32 or bfloat16 (inputs and output of that dtype), best of several runs per size. The best rate over all sizes is the
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

    /// <summary>Null when these matmul settings are usable, else a one-line reason naming the option.</summary>
    public static string? Problem(IReadOnlyList<int> sizes, int repeats)
    {
        if (repeats < 1) return $"matmul-repeats must be at least 1 (got {repeats})";
        if (sizes.Count == 0 || sizes.Any(n => n is < 1 or > 8192)) return "matmul-sizes must be between 1 and 8192";
        return null;
    }

    public static Result Run(IReadOnlyList<int> sizes, int warmup = 1, int repeats = 5, ScalarType dtype = ScalarType.Float32)
    {
        if (sizes.Count == 0) throw new ArgumentException("no matmul sizes given", nameof(sizes));
        var results = new List<SizeResult>();
        using var inference = inference_mode();
        using var generator = new Generator(0);
        foreach (var n in sizes)
        {
            using var scope = NewDisposeScope();
            var a = randn([n, n], generator: generator).to_type(dtype);   // [n, n]
            var b = randn([n, n], generator: generator).to_type(dtype);   // [n, n]
            var seconds = BenchmarkTiming.Measure(() => { using var c = a.matmul(b); }, warmup, repeats);
            var flops = 2.0 * n * n * (double)n;
            results.Add(new SizeResult(n, flops / seconds.Min() / 1e9, flops / BenchmarkTiming.Median(seconds) / 1e9));
        }
        return new Result(results);
    }

    /// <summary>`rlhf bench matmul`: the float32 and bfloat16 rates of the same sizes in one run, and bf16 / float32.</summary>
    public static JsonObject CompareDtypes(IReadOnlyList<int> sizes, int repeats, int threads)
    {
        var float32 = Run(sizes, warmup: 1, repeats: repeats, ScalarType.Float32);
        var bf16 = Run(sizes, warmup: 1, repeats: repeats, ScalarType.BFloat16);
        return new JsonObject
        {
            ["benchmark"] = "matmul",
            ["threads"] = threads,
            ["float32_gflops"] = BenchmarkTiming.Round(float32.BestGflops),
            ["bf16_gflops"] = BenchmarkTiming.Round(bf16.BestGflops),
            ["bf16_over_float32"] = BenchmarkTiming.Round(bf16.BestGflops / float32.BestGflops),
            ["float32"] = float32.ToJson(),
            ["bf16"] = bf16.ToJson(),
            ["load_avg_1m"] = BenchmarkTiming.LoadAverage(),
        };
    }
}
