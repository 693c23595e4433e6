using System.Text.Json;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf pretrain` and `rlhf bench forward|generate|reward` as processes, on tiny configurations (no speed is asserted).</summary>
public sealed class PretrainAndBenchCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-bench-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private static JsonElement LastJson(string output) =>
        JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement.Clone();

    [Fact]
    public async Task Pretrain_writes_a_loadable_checkpoint_and_its_loss_falls()
    {
        var output = Path.Combine(folder, "tiny");
        var run = await CliProcess.RunAsync(NoEnv, null, "pretrain", "--out", output, "--steps", "30", "--n-layer", "1", "--n-embd", "32",
            "--n-head", "2", "--block-size", "160", "--batch-size", "4", "--examples", "200", "--log-every", "1", "--lr", "0.01", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(l => l.TryGetProperty("loss", out _)).ToList();
        Assert.True(lines[^1].GetProperty("loss").GetDouble() < lines[0].GetProperty("loss").GetDouble() - 1.0);
        var logprob = await CliProcess.RunAsync(NoEnv, null, "lm-logprob", "--model", output, "--text", "User: Hello");
        Assert.True(logprob.ExitCode == 0, logprob.Error);
    }

    [Theory]
    [InlineData("forward", "mfu")]
    [InlineData("generate", "speedup_batch1")]
    [InlineData("reward", "mfu")]
    [InlineData("ppo", "update_mfu")]
    public async Task Each_benchmark_prints_positive_figures(string which, string field)
    {
        var args = which switch
        {
            "forward" => new[] { "bench", "forward", "--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--seq-len", "16", "--batch-size", "2", "--repeats", "2", "--matmul-sizes", "128", "--threads", "1" },
            "generate" => ["bench", "generate", "--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--new-tokens", "4", "--batch-sizes", "1", "--repeats", "1", "--uncached-repeats", "1", "--threads", "1"],
            "ppo" => ["bench", "ppo", "--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--batch", "2", "--minibatches", "1", "--ppo-epochs", "1", "--response-length", "4", "--repeats", "1", "--threads", "1"],
            _ => ["bench", "reward", "--n-layer", "1", "--n-embd", "32", "--n-head", "2", "--seq-len", "16", "--batch-pairs", "2", "--repeats", "2", "--threads", "1"],
        };
        var run = await CliProcess.RunAsync(NoEnv, null, args);
        Assert.True(run.ExitCode == 0, run.Error);
        var json = LastJson(run.Output);
        Assert.True(json.GetProperty(field).GetDouble() > 0);
        Assert.True(json.GetProperty("threads").GetInt32() == 1);
    }

    [Fact]
    public async Task Bad_benchmark_options_are_one_line()
    {
        var run = await CliProcess.RunAsync(NoEnv, null, "bench", "reward", "--n-embd", "30", "--n-head", "4");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--n-embd must be a multiple of --n-head", run.Error);
    }
}
