using System.Text.Json.Nodes;
using Rlhf.Bench.Training;
using Rlhf.Training.Models;
using Rlhf.Training;

namespace Rlhf.Bench.Tests.Training;

/// <summary>Smoke tests: the benchmarks run on tiny configs and report positive numbers. Speed is never asserted.</summary>
public class BenchmarkTests
{
    public BenchmarkTests() => TorchThreads.EnsureConfigured();

    private static void AssertPositive(JsonObject json, params string[] fields)
    {
        foreach (var field in fields)
        {
            var node = json[field];
            Assert.True(node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
                        && double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) is var x
                        && x > 0 && double.IsFinite(x),
                $"{field} = {node?.ToJsonString() ?? "missing"}");
        }
    }

    [Fact]
    public void Forward_benchmark_reports_positive_rates_and_mfu()
    {
        var json = ForwardBenchmark.Run(new ForwardBenchmark.Options
        {
            NLayer = 1, NEmbd = 16, NHead = 2, VocabSize = 500, SeqLen = 8, BatchSize = 2,
            Warmup = 0, Repeats = 2, MatmulSizes = [32, 64], MatmulRepeats = 2,
        });
        Assert.Equal("forward", json["benchmark"]!.GetValue<string>());
        AssertPositive(json, "threads", "matmul_gflops", "flops_per_token", "forward_ms_median", "tokens_per_s", "achieved_gflops", "mfu",
            "parameters_non_embedding");
        var sizes = json["matmul"]!.AsArray();
        Assert.Equal(2, sizes.Count);
        Assert.All(sizes, s => AssertPositive(s!.AsObject(), "n", "best_gflops", "median_gflops"));
    }

    [Fact]
    public void Generate_benchmark_reports_cached_and_uncached_rates()
    {
        var json = GenerateBenchmark.Run(new GenerateBenchmark.Options
        {
            NLayer = 1, NEmbd = 16, NHead = 2, VocabSize = 500, PromptTokens = 3, NewTokens = 4,
            BatchSizes = [1, 2], UncachedBatchSizes = [1, 3], Warmup = 0, Repeats = 2, UncachedRepeats = 1,
        });
        Assert.Equal("generate", json["benchmark"]!.GetValue<string>());
        AssertPositive(json, "threads", "cached_batch1_tokens_per_s", "cached_batch2_tokens_per_s", "cached_batch3_tokens_per_s",
            "uncached_batch1_tokens_per_s", "uncached_batch3_tokens_per_s", "speedup_batch1", "speedup_batch3");
        var runs = json["runs"]!.AsArray();
        Assert.Equal(5, runs.Count);
        Assert.All(runs, r => AssertPositive(r!.AsObject(), "batch_size", "ms_median", "tokens_per_s"));
    }

    [Fact]
    public void Flops_formula_counts_gpt2_small_as_nanogpt_does()
    {
        // nanoGPT reports 123.65M parameters for gpt2 (124,439,808 minus wpe 1024 x 768).
        Assert.Equal(123_653_376, BenchmarkModel.NonEmbeddingParameters(12, 768, 50257));
        Assert.Equal(2.0 * 123_653_376 + 4.0 * 12 * 768 * 1024, BenchmarkModel.ForwardFlopsPerToken(12, 768, 50257, 1024));

        using var model = BenchmarkModel.Create(nLayer: 2, nEmbd: 32, nHead: 4, nPositions: 40, vocabSize: 100, seed: 1);
        var withoutWpe = model.named_parameters().Where(p => p.name != "transformer.wpe.weight").Sum(p => p.parameter.numel());
        Assert.Equal(withoutWpe, BenchmarkModel.NonEmbeddingParameters(2, 32, 100));
    }

    [Fact]
    public void Bad_options_are_reported_in_one_line()
    {
        Assert.Equal("n-embd (30) must be positive and divisible by n-head (4)",
            new ForwardBenchmark.Options { NEmbd = 30, NHead = 4 }.Problem());
        Assert.Equal("repeats must be at least 1 (got 0)", new GenerateBenchmark.Options { Repeats = 0 }.Problem());
        Assert.Null(new ForwardBenchmark.Options().Problem());
        Assert.Null(new GenerateBenchmark.Options().Problem());
        Assert.Throws<ArgumentException>(() => ForwardBenchmark.Run(new ForwardBenchmark.Options { BatchSize = 0 }));
    }
}
