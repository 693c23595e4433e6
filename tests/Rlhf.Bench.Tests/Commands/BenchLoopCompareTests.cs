using System.CommandLine;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using Rlhf.Bench.Commands;

namespace Rlhf.Bench.Tests.Commands;

/// <summary>
/// `rlhf bench loop --compare` in process on a tiny configuration: PPO, DPO and GRPO each train on the same votes from
/// the same base, are rated against the reference, and land in one report, one table and one chart. Whether a method
/// raises the gold score is measured by the full-size benchmark (BENCHMARKS.md), not asserted here.
/// </summary>
public sealed class BenchLoopCompareTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-bench-compare", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var root = new RootCommand { BenchLoopCommand.Create() };
        var code = await root.Parse(["loop", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Compare_runs_the_three_methods_on_the_same_votes_and_each_stops_at_its_cpu_budget()
    {
        // A budget of 0.06 CPU-milliseconds: every method stops after its first step (the trainers check after each).
        var (code, output, error) = await RunAsync("--compare", "--out", folder, "--prompts", "20", "--responses-per-prompt", "2", "--raters", "2",
            "--overlap", "2", "--reward-epochs", "1", "--ppo-steps", "2", "--ppo-batch", "4", "--grpo-steps", "2", "--dpo-epochs", "1",
            "--budget-cpu-minutes", "0.000001", "--threads", "1");
        Assert.True(code == 0, error + output);
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "loop.json"))).RootElement;
        var result = json.GetProperty("result");
        var comparisons = result.GetProperty("comparisons").GetInt32();
        Assert.InRange(comparisons, 15, 20);                                      // 20 prompts; identical replies are not paired
        Assert.Equal(2 * comparisons, result.GetProperty("votes").GetInt32());    // overlap 2
        Assert.Equal(32, json.GetProperty("settings").GetProperty("responseLength").GetInt32());   // DPO is rated at the site's PPO length

        var methods = result.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(["ppo", "dpo", "grpo"], methods.Select(m => m.GetProperty("method").GetString()));
        foreach (var m in methods)
        {
            var name = m.GetProperty("method").GetString();
            Assert.Equal(1, m.GetProperty("steps").GetInt64());
            Assert.Equal(2, m.GetProperty("plannedSteps").GetInt64());
            Assert.Equal("cpu budget", m.GetProperty("stoppedBy").GetString());
            Assert.Equal(4, m.GetProperty("heldOutPrompts").GetInt32());         // 20% of 20
            foreach (var figure in new[] { "goldBefore", "goldAfter", "proxyBefore", "proxyAfter", "kl", "cpuMinutes", "trainSeconds", "evaluateSeconds" })
                Assert.True(double.IsFinite(m.GetProperty(figure).GetDouble()), $"{name} {figure}");
            Assert.True(m.GetProperty("cpuMinutes").GetDouble() > 0, name);
            Assert.Equal(m.GetProperty("goldAfter").GetDouble() > m.GetProperty("goldBefore").GetDouble(), json.GetProperty("gold_rose").GetProperty(name!).GetBoolean());
        }
        // The same reference replies (same seed, prompts and sampling) are rated against every method's policy.
        Assert.Single(methods.Select(m => m.GetProperty("goldBefore").GetDouble()).Distinct());
        // PPO's own KL at update 1 is 0 (policy = reference before it); DPO has none.
        var ppo = methods[0];
        Assert.Equal(0.0, ppo.GetProperty("trainKl").GetDouble(), 3);
        Assert.Equal([1L], ppo.GetProperty("curve").EnumerateArray().Select(p => p.GetProperty("step").GetInt64()));
        Assert.Equal("NaN", methods[1].GetProperty("trainKl").GetString());

        var table = await File.ReadAllTextAsync(Path.Combine(folder, "loop.md"));
        Assert.Contains("| PPO | DPO | GRPO |", table);
        Assert.Contains("| steps made / planned (stopped by) | 1 / 2 (cpu budget) | 1 / 2 (cpu budget) | 1 / 2 (cpu budget) |", table);
        var svg = XDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "methods.svg")));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2 * 3, svg.Descendants(ns + "circle").Count());             // a dot per method in each panel
        Assert.Contains("d = sqrt(KL to the reference), sqrt(nats)", svg.Descendants(ns + "text").Select(t => t.Value));
        Assert.True(File.Exists(Path.Combine(folder, "gold-vs-proxy.svg")));
    }

    [Fact]
    public async Task An_unknown_method_and_compare_with_a_method_are_refused_with_one_line_before_anything_runs()
    {
        var (code, _, error) = await RunAsync("--method", "foo", "--out", folder);
        Assert.Equal(2, code);
        Assert.Equal("rlhf: --method must be one of ppo, dpo, grpo (each once).", error.Trim());

        (code, _, error) = await RunAsync("--compare", "--method", "dpo", "--out", folder);
        Assert.Equal(2, code);
        Assert.Equal("rlhf: --compare runs every method; leave out --method.", error.Trim());

        (code, _, error) = await RunAsync("--method", "dpo", "--response-length", "48", "--out", folder);
        Assert.Equal(2, code);
        Assert.Equal("rlhf: --response-length must be 32 with dpo (its policy is rated on replies of the site's PPO length).", error.Trim());
        Assert.False(Directory.Exists(folder));
    }
}
