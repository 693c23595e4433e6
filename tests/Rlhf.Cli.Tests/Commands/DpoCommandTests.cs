using System.Text.Json;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf dpo` and `rlhf lm-logprob --data` as processes, on the tiny GPT-2 fixture.</summary>
public sealed class DpoCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-dpo-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();

    public DpoCommandTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Dpo_trains_reports_skipped_lines_and_its_policy_scores_chosen_higher_with_lm_logprob()
    {
        var data = Path.Combine(folder, "prefs.jsonl");
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        File.WriteAllLines(data, Enumerable.Range(0, 16).Select(i =>
            JsonSerializer.Serialize(new { prompt = i == 4 ? longPrompt : $"Question {i}?", chosen = $"Thanks, answer {i}.", rejected = $"No. {i}" })));
        var outDir = Path.Combine(folder, "policy");
        var dpo = await CliProcess.RunAsync(NoEnv, null, "dpo", "--policy", FixturePaths.Of("gpt2-tiny-lm"), "--data", data, "--out", outDir,
            "--epochs", "3", "--lr", "0.003", "--batch-pairs", "5", "--max-length", "24", "--validation-fraction", "0");
        Assert.True(dpo.ExitCode == 0, dpo.Error);
        Assert.Equal("rlhf: line 5: skipped, the prompt has 45 tokens, max length is 24: nothing of the responses would be left", dpo.Error.Trim());
        var lines = JsonLines(dpo.Output);
        Assert.Equal(Math.Log(2), lines[0].GetProperty("train/loss").GetDouble(), 4);
        Assert.True(lines[0].TryGetProperty("train/rewards/accuracies", out _) && lines[0].TryGetProperty("train/logits/chosen", out _));
        var done = lines[^1];
        Assert.Equal(15, done.GetProperty("train_pairs").GetInt32());
        Assert.Equal(1, done.GetProperty("skipped_pairs").GetInt32());
        Assert.Equal(9, done.GetProperty("steps").GetInt32());   // 3 epochs x ceil(15 / 5)

        // The trained policy gives the chosen responses more log-prob than the start does (the implicit reward is positive).
        var before = await CliProcess.RunAsync(NoEnv, null, "lm-logprob", "--model", FixturePaths.Of("gpt2-tiny-lm"), "--data", data);
        var after = await CliProcess.RunAsync(NoEnv, null, "lm-logprob", "--model", outDir, "--data", data);
        Assert.True(before.ExitCode == 0 && after.ExitCode == 0, before.Error + after.Error);
        var (b, a) = (JsonLines(before.Output), JsonLines(after.Output));
        Assert.Equal(Enumerable.Range(1, 16), b.Select(x => x.GetProperty("line").GetInt32()));
        var margins = Enumerable.Range(0, 16).Where(i => i != 4).Select(i =>
            a[i].GetProperty("chosen").GetDouble() - b[i].GetProperty("chosen").GetDouble()
            - (a[i].GetProperty("rejected").GetDouble() - b[i].GetProperty("rejected").GetDouble())).ToList();
        Assert.True(margins.Count(m => m > 0) >= 13, string.Join(", ", margins));
    }

    [Fact]
    public async Task Bad_options_are_named_and_a_reference_with_another_tokenizer_is_refused_in_one_line()
    {
        var data = Path.Combine(folder, "prefs.jsonl");
        File.WriteAllLines(data, [JsonSerializer.Serialize(new { prompt = "Hi", chosen = "Hello", rejected = "Go" })]);
        var bad = await CliProcess.RunAsync(NoEnv, null, "dpo", "--policy", FixturePaths.Of("gpt2-tiny-lm"), "--data", data, "--out", Path.Combine(folder, "o"),
            "--loss", "hinge", "--beta", "0");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal(["rlhf: --beta must be > 0 (got 0)", "rlhf: --loss must be sigmoid or ipo (got hinge)"], bad.Error.Trim().Split('\n'));

        var reference = Path.Combine(folder, "qwen3");
        Directory.CreateDirectory(reference);
        foreach (var f in Directory.GetFiles(FixturePaths.Of("qwen3-tiny"))) File.Copy(f, Path.Combine(reference, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(reference, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""");
        var refused = await CliProcess.RunAsync(NoEnv, null, "dpo", "--policy", FixturePaths.Of("gpt2-tiny-lm"), "--reference", reference, "--data", data,
            "--out", Path.Combine(folder, "o"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.Error.Trim().Split('\n'));
        Assert.StartsWith("rlhf: ", refused.Error);
        Assert.False(Directory.Exists(Path.Combine(folder, "o")));
    }
}
