using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// `rlhf bench loop` as a process on a tiny configuration: every stage runs as the platform's job on its own SQLite
/// file and the JSON and chart are written. Whether the gold score rises is measured by the full-size benchmark (see
/// BENCHMARKS.md), not asserted here: two PPO updates on 8-token replies say nothing about learning.
/// </summary>
public sealed class BenchLoopCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-bench-loop", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_tiny_loop_runs_every_stage_and_writes_its_report_and_chart()
    {
        var env = new Dictionary<string, string> { ["RLHF_TORCH_THREADS"] = "1" };
        var (code, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(20), env, null, "bench", "loop", "--out", folder, "--prompts", "20", "--responses-per-prompt", "2",
            "--raters", "2", "--overlap", "2", "--response-length", "8", "--reward-epochs", "1", "--ppo-steps", "2", "--ppo-batch", "4", "--threads", "1");
        Assert.True(code == 0, error + output);
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "loop.json"))).RootElement;
        var result = json.GetProperty("result");
        var comparisons = result.GetProperty("comparisons").GetInt32();
        Assert.InRange(comparisons, 15, 20);                                      // 20 prompts; identical replies are not paired
        Assert.Equal(2 * comparisons, result.GetProperty("votes").GetInt32());    // overlap 2
        Assert.Equal(4, result.GetProperty("heldOutPrompts").GetInt32());         // 20% of 20
        Assert.InRange(result.GetProperty("raterAgreementWithJudge").GetDouble(), 0.3, 1.0);
        foreach (var name in new[] { "goldBefore", "goldAfter", "proxyBefore", "proxyAfter", "finalKl" })
            Assert.True(double.IsFinite(result.GetProperty(name).GetDouble()), name);
        var curve = result.GetProperty("curve").EnumerateArray().ToList();
        Assert.Equal([1L, 2L], curve.Select(p => p.GetProperty("step").GetInt64()));   // samples at update 1 and the last
        Assert.Equal(0.0, curve[0].GetProperty("kl").GetDouble(), 3);                  // before the first update policy = reference
        foreach (var stage in new[] { "generate", "votes", "rewardRun", "ppoRun", "generateAgain", "total" })
            Assert.True(result.GetProperty("seconds").GetProperty(stage).GetDouble() > 0, stage);
        Assert.Equal(result.GetProperty("goldAfter").GetDouble() > result.GetProperty("goldBefore").GetDouble(), json.GetProperty("gold_rose").GetBoolean());
        var svg = await File.ReadAllTextAsync(Path.Combine(folder, "gold-vs-proxy.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Equal(2, svg.Split("<polyline").Length - 1);
        Assert.Contains("d = sqrt(KL", svg);
    }

    [Fact]
    public async Task Bad_sizes_and_a_used_folder_are_refused_before_anything_runs()
    {
        var (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "loop", "--out", folder, "--raters", "2", "--overlap", "3");
        Assert.Equal(2, code);
        Assert.Contains("raters must be at least overlap", error);
        Assert.False(Directory.Exists(folder));

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "keep.txt"), "mine");
        (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "loop", "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains("is not empty", error);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(folder, "keep.txt")));
    }
}
