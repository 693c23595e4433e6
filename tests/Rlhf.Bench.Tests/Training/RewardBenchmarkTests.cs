using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Bench.Training;
using Rlhf.Training.Models;
using Rlhf.Training;

namespace Rlhf.Bench.Tests.Training;

/// <summary>`rlhf bench reward` runs on a tiny config and reports positive numbers (speed is never asserted).</summary>
public class RewardBenchmarkTests
{
    public RewardBenchmarkTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Reward_benchmark_reports_rates_and_mfu_and_restores_the_thread_count()
    {
        var threadsBefore = TorchSharp.torch.get_num_threads();
        var json = RewardBenchmark.Run(new RewardBenchmark.Options
        {
            NLayer = 1, NEmbd = 16, NHead = 2, VocabSize = 500, SeqLen = 8, BatchPairs = 2,
            Warmup = 0, Repeats = 2, MatmulSizes = [32, 64], MatmulRepeats = 2, Threads = 1,
        });
        Assert.Equal(threadsBefore, TorchSharp.torch.get_num_threads());
        Assert.Equal("reward", json["benchmark"]!.GetValue<string>());
        Assert.Equal(4, json["sequences_per_step"]!.GetValue<int>());
        foreach (var field in new[] { "threads", "matmul_gflops", "flops_per_token", "step_ms_median", "forward_backward_ms_median",
                     "tokens_per_s", "achieved_gflops", "mfu", "mfu_forward_backward", "parameters_counted" })
        {
            var node = json[field];
            Assert.True(node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                        && double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) is var x && x > 0 && double.IsFinite(x),
                $"{field} = {node?.ToJsonString() ?? "missing"}");
        }
        Assert.Equal("batch-pairs must be at least 1 (got 0)", new RewardBenchmark.Options { BatchPairs = 0 }.Problem());
        Assert.Null(new RewardBenchmark.Options().Problem());
    }

    [Fact]
    public void Flops_count_the_blocks_ln_f_and_score_but_no_embeddings()
    {
        using var model = new Gpt2ForSequenceClassification(new Gpt2Config { VocabSize = 100, NPositions = 40, NEmbd = 32, NLayer = 2, NHead = 4 });
        var counted = model.named_parameters()
            .Where(p => p.name is not ("transformer.wte.weight" or "transformer.wpe.weight"))
            .Sum(p => p.parameter.numel());
        Assert.Equal(counted, RewardBenchmark.CountedParameters(2, 32));
        Assert.Equal(6.0 * counted + 12.0 * 2 * 32 * 40, RewardBenchmark.TrainingFlopsPerToken(2, 32, 40));
        // 4 layers x 256: 4 * 12 * 256^2 weights + biases/LayerNorms + ln_f + score
        Assert.Equal(3_159_808, RewardBenchmark.CountedParameters(4, 256));
    }
}
