using System.Text.Json;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf grpo` as a process on the tiny GPT-2 fixtures: metrics as JSON lines with TRL's names, the policy in HF layout, bad input one line.</summary>
public sealed class GrpoCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-grpo-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();

    public GrpoCommandTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    [Fact]
    public async Task Grpo_on_a_tiny_model_prints_trl_metrics_and_writes_a_loadable_policy()
    {
        var prompts = Path.Combine(folder, "prompts.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(0, 4).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i}?" })));
        var policyDir = Path.Combine(folder, "policy");
        var run = await CliProcess.RunAsync(NoEnv, null, "grpo", "--policy", FixturePaths.Lm, "--reward", FixturePaths.Reward, "--prompts", prompts,
            "--out", policyDir, "--steps", "2", "--batch", "2", "--group", "4", "--max-completion-length", "6", "--lr", "0.0001", "--seed", "3");
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(3, lines.Count);
        foreach (var (line, step) in lines.Take(2).Select((l, i) => (l, i + 1)))
        {
            Assert.Equal(step, line.GetProperty("step").GetInt64());
            foreach (var name in new[] { "reward", "reward_std", "kl", "entropy", "completions/mean_length", "clip_ratio/region_mean", "loss", "grad_norm" })
                Assert.True(line.TryGetProperty(name, out _), $"update {step} lacks {name}");
            Assert.InRange(line.GetProperty("completions/mean_length").GetDouble(), 1, 6);
            Assert.True(line.GetProperty("kl").GetDouble() >= 0);
        }
        Assert.Equal(0.0, lines[0].GetProperty("kl").GetDouble(), 6);   // the first update's policy is the reference
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
        Assert.Equal(2, lines[^1].GetProperty("steps").GetInt64());
        using var policy = ModelLoader.LoadLanguageModel(policyDir);
        Assert.Equal("gpt2", policy.ModelType);
    }

    [Fact]
    public async Task Bad_grpo_input_is_one_clear_line()
    {
        var neither = await CliProcess.RunAsync(NoEnv, null, "grpo", "--policy", FixturePaths.Lm, "--reward", FixturePaths.Reward, "--out", Path.Combine(folder, "a"));
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("give exactly one of --prompts FILE.jsonl or --project ID", neither.Error);

        var prompts = Path.Combine(folder, "p.jsonl");
        File.WriteAllText(prompts, "{\"prompt\": \"q\"}\n");
        var badGroup = await CliProcess.RunAsync(NoEnv, null, "grpo", "--policy", FixturePaths.Lm, "--reward", FixturePaths.Reward, "--prompts", prompts,
            "--out", Path.Combine(folder, "b"), "--group", "1", "--loss-type", "dapo");
        Assert.Equal(2, badGroup.ExitCode);
        Assert.Contains("rlhf: --group must be >= 2", badGroup.Error);
        Assert.Contains("rlhf: --loss-type must be grpo, dr_grpo or bnpo (got dapo)", badGroup.Error);
    }
}
