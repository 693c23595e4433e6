using System.Text.Json;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf train-reward`, `rlhf reward-score --prompt/--data` and `rlhf ppo` as processes, on the tiny fixtures.</summary>
public sealed class TrainingCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-training-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();

    public TrainingCommandTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private string PreferenceFile(int n)
    {
        var path = Path.Combine(folder, "prefs.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, n).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Question {i % 11}?", chosen = $"Thanks! Answer {i}.", rejected = $"No. {i}" })));
        return path;
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Train_a_reward_model_score_with_it_then_run_PPO_against_it()
    {
        var data = PreferenceFile(64);
        var rewardDir = Path.Combine(folder, "reward");
        var train = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--data", data, "--base", FixturePaths.Of("gpt2-tiny-lm"), "--out", rewardDir,
            "--epochs", "2", "--lr", "0.001", "--batch-pairs", "8", "--max-length", "24", "--eval-every", "4");
        Assert.True(train.ExitCode == 0, train.Error);
        var lines = JsonLines(train.Output);
        Assert.True(lines[0].TryGetProperty("train/loss", out var first));
        Assert.InRange(first.GetDouble(), 0.3, 1.2); // starts near ln 2
        var done = lines[^1];
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.True(File.Exists(Path.Combine(rewardDir, "model.safetensors")));

        var score = await CliProcess.RunAsync(NoEnv, null, "reward-score", "--model", rewardDir, "--prompt", "Question 1?", "--response", "Thanks! Answer 1.");
        Assert.True(score.ExitCode == 0, score.Error);
        Assert.True(JsonLines(score.Output).Single().TryGetProperty("reward", out _));

        var pairs = await CliProcess.RunAsync(NoEnv, null, "reward-score", "--model", rewardDir, "--data", data, "--max-length", "24");
        Assert.True(pairs.ExitCode == 0, pairs.Error);
        var summary = JsonLines(pairs.Output).Single();
        Assert.Equal(64, summary.GetProperty("pairs").GetInt32());
        Assert.InRange(summary.GetProperty("accuracy").GetDouble(), 0, 1);

        var prompts = Path.Combine(folder, "prompts.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i}?" })));
        var policyDir = Path.Combine(folder, "policy");
        var ppo = await CliProcess.RunAsync(NoEnv, null, "ppo", "--policy", FixturePaths.Of("gpt2-tiny-lm"), "--reward", rewardDir, "--prompts", prompts,
            "--out", policyDir, "--steps", "2", "--batch", "4", "--minibatches", "1", "--ppo-epochs", "1", "--response-length", "6", "--lr", "0.0001");
        Assert.True(ppo.ExitCode == 0, ppo.Error);
        var ppoLines = JsonLines(ppo.Output);
        Assert.Contains(ppoLines, l => l.TryGetProperty("objective/kl", out _) && l.TryGetProperty("policy/approxkl_avg", out _));
        Assert.True(ppoLines[^1].GetProperty("done").GetBoolean());
        Assert.True(File.Exists(Path.Combine(policyDir, "model.safetensors")));
    }

    [Fact]
    public async Task Bad_training_input_is_one_clear_line()
    {
        var broken = Path.Combine(folder, "broken.jsonl");
        File.WriteAllText(broken, "{\"prompt\": \"q\", \"chosen\": \"a\"}\n");
        var missing = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--data", broken, "--base", FixturePaths.Of("gpt2-tiny-lm"), "--out", Path.Combine(folder, "x"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("line 1: missing field 'rejected'", missing.Error);

        var badLr = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--data", PreferenceFile(8), "--base", FixturePaths.Of("gpt2-tiny-lm"), "--out", Path.Combine(folder, "y"), "--lr", "-1");
        Assert.Equal(2, badLr.ExitCode);
        Assert.Contains("--lr", badLr.Error);

        var policyWithFile = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--data", PreferenceFile(8), "--base", FixturePaths.Of("gpt2-tiny-lm"),
            "--out", Path.Combine(folder, "w"), "--method", "majority", "--exclude-flagged");
        Assert.Equal(2, policyWithFile.ExitCode);
        Assert.Contains("rlhf: --method, --exclude-flagged choose how a project's votes become pairs; they go with --project, not --data", policyWithFile.Error);

        var badPolicy = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--project", "1", "--base", FixturePaths.Of("gpt2-tiny-lm"),
            "--out", Path.Combine(folder, "v"), "--min-agreement", "2", "--min-votes", "0");
        Assert.Equal(2, badPolicy.ExitCode);
        Assert.Contains("rlhf: The minimum agreement must be between 0 and 1.", badPolicy.Error);
        Assert.Contains("rlhf: The minimum number of votes must be at least 1.", badPolicy.Error);

        var both = await CliProcess.RunAsync(NoEnv, null, "ppo", "--policy", FixturePaths.Of("gpt2-tiny-lm"), "--reward", FixturePaths.Of("gpt2-tiny-reward"), "--out", Path.Combine(folder, "z"));
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--prompts", both.Error);
    }
}
