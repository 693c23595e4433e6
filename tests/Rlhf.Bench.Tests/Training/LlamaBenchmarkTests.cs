using System.Text.Json.Nodes;
using Rlhf.Bench.Training;
using Rlhf.Training;
using static TorchSharp.torch;

namespace Rlhf.Bench.Tests.Training;

/// <summary>
/// The `--arch llama` benchmarks run on a tiny SmolLM2-shaped model (1 layer, 64-token vocabulary) in float32 and bf16 and
/// report sane numbers: positive finite rates, MFU in (0, 10) (never asserted as a speed), both dtypes present.
/// </summary>
public class LlamaBenchmarkTests
{
    public LlamaBenchmarkTests() => TorchThreads.EnsureConfigured();

    private static readonly LlamaBenchmark.Options Tiny = new()
    {
        Layers = 1, VocabSize = 64, SeqLen = 8, BatchSize = 2, NewTokens = 3, GenerateBatchSizes = [1, 2], MiniBatches = 2,
        Warmup = 0, Repeats = 1, MatmulSizes = [32], MatmulRepeats = 1,
    };

    private static double Number(JsonNode? node, string name)
    {
        Assert.True(node is JsonValue, $"{name} is missing");
        var x = node!.GetValue<double>();
        Assert.True(double.IsFinite(x) && x > 0, $"{name} = {x}");
        return x;
    }

    private static void AssertCommon(JsonObject json, string benchmark, bool hasMfu)
    {
        Assert.Equal(benchmark, json["benchmark"]!.GetValue<string>());
        Assert.Equal("llama", json["arch"]!.GetValue<string>());
        Assert.Equal("smollm2-135m", json["preset"]!.GetValue<string>());
        Assert.Equal(1, json["layers"]!.GetValue<int>());
        Assert.Equal(576, json["hidden_size"]!.GetValue<int>());
        Assert.Equal(3, json["kv_heads"]!.GetValue<int>());
        var dtypes = json["dtypes"]!.AsObject();
        Assert.Equal(["float32", "bf16"], dtypes.Select(d => d.Key));
        foreach (var (name, entry) in dtypes)
        {
            Number(entry!["matmul_gflops"], $"{name}.matmul_gflops");
            Number(entry["tokens_per_s"], $"{name}.tokens_per_s");
            // MFU is the achieved rate over the matmul rate measured in the same run: check that relation, not its size
            // (both are timings; on a loaded machine the matmul probe can run slowly and the ratio exceed 1).
            if (hasMfu)
            {
                var mfu = Number(entry["mfu"], $"{name}.mfu");
                Assert.True(mfu > 0, $"{name}.mfu = {mfu}");
                var ratio = Number(entry["achieved_gflops"], $"{name}.achieved_gflops") / Number(entry["matmul_gflops"], $"{name}.matmul_gflops");
                Assert.Equal(1.0, mfu / ratio, 0.01);
            }
            else Assert.Null(entry["mfu"]);
        }
        Number(json["bf16_over_float32_tokens_per_s"], "bf16_over_float32_tokens_per_s");
        Number(json["bf16_over_float32_matmul"], "bf16_over_float32_matmul");
    }

    [Fact]
    public void Forward_reports_both_dtypes()
    {
        var json = LlamaBenchmark.Forward(Tiny);
        AssertCommon(json, "forward", hasMfu: true);
        // 1 layer of SmolLM2: q 576x576, k/v 576x192 each, o 576x576, MLP 3 x 576x1536; LM head 576 x 64; attention 4*1*9*64*8.
        Assert.Equal(2.0 * (3_538_944 + 576 * 64) + 4.0 * 9 * 64 * 8, json["flops_per_token"]!.GetValue<double>());
    }

    [Fact]
    public void Generate_reports_each_batch_size_per_dtype()
    {
        var json = LlamaBenchmark.Generate(Tiny);
        AssertCommon(json, "generate", hasMfu: false);
        foreach (var dtype in new[] { "float32", "bf16" })
        {
            Number(json["dtypes"]![dtype]!["batch1_tokens_per_s"], $"{dtype}.batch1");
            Number(json["dtypes"]![dtype]!["batch2_tokens_per_s"], $"{dtype}.batch2");
        }
    }

    [Fact]
    public void Reward_step_reports_both_dtypes()
    {
        var json = LlamaBenchmark.Reward(Tiny);
        AssertCommon(json, "reward", hasMfu: true);
        Number(json["dtypes"]!["bf16"]!["methods"]!["full"]!["step_ms_median"], "bf16.methods.full.step_ms_median");
    }

    [Fact]
    public void Ppo_update_reports_its_phases()
    {
        var json = LlamaBenchmark.Ppo(Tiny);
        AssertCommon(json, "ppo", hasMfu: true);
        var phases = json["dtypes"]!["float32"]!["methods"]!["full"]!["update_phases_s"]!.AsObject();
        Assert.Equal(["policy_forward", "log_softmax", "value_forward", "loss", "backward", "optimizer", "entropy_and_stats"],
            phases.Select(p => p.Key));
        Assert.All(phases, p => Assert.True(p.Value!.GetValue<double>() >= 0));
    }

    [Fact]
    public void Bad_options_are_reported_in_one_line()
    {
        Assert.Equal("layers must be at least 1 (got 0)", (Tiny with { Layers = 0 }).Problem());
        Assert.StartsWith("preset \"gpt9\" is unknown", (Tiny with { Preset = "gpt9" }).Problem());
        Assert.Equal("batch-size (3) must be a multiple of minibatches (2)", (Tiny with { BatchSize = 3 }).Problem());
        Assert.Equal("dtype: give float32, bf16 or both", (Tiny with { Dtypes = [] }).Problem());
        Assert.Throws<ArgumentException>(() => LlamaBenchmark.Forward(Tiny with { Repeats = 0 }));
        Assert.Equal(ScalarType.BFloat16, (Tiny with { Dtypes = [ScalarType.BFloat16] }).Dtypes.Single());
    }
}
