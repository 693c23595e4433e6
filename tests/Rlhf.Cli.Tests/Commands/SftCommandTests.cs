using System.Text.Json;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf sft` (full and LoRA) and `rlhf models merge` as processes, on the tiny GPT-2 fixture.</summary>
public sealed class SftCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-sft-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();

    public SftCommandTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Sft_with_lora_writes_a_peft_adapter_that_merges_into_a_loadable_model()
    {
        var data = Path.Combine(folder, "sft.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? JsonSerializer.Serialize(new { prompt = $"Question {i}?", completion = $"Answer {i}." })
            : JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = $"Question {i}?" }, new { role = "assistant", content = $"Answer {i}." } } })));
        var adapter = Path.Combine(folder, "adapter");
        var sft = await CliProcess.RunAsync(NoEnv, null, "sft", "--base", FixturePaths.Of("gpt2-tiny-lm"), "--data", data, "--out", adapter,
            "--epochs", "1", "--lr", "0.01", "--batch-size", "4", "--max-length", "32", "--lora-r", "4", "--lora-targets", "c_attn", "--sample-every", "0");
        Assert.True(sft.ExitCode == 0, sft.Error);
        var lines = JsonLines(sft.Output);
        Assert.True(lines[0].TryGetProperty("loss", out var loss) && loss.GetDouble() > 0);
        Assert.True(lines[0].TryGetProperty("mean_token_accuracy", out _) && lines[0].TryGetProperty("num_tokens", out _));
        var done = lines[^1];
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.True(done.GetProperty("adapter").GetBoolean());
        Assert.Equal(12, done.GetProperty("train_examples").GetInt32() + done.GetProperty("validation_examples").GetInt32());
        Assert.True(File.Exists(Path.Combine(adapter, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(adapter, "adapter_model.safetensors")));

        var merged = Path.Combine(folder, "merged");
        var merge = await CliProcess.RunAsync(NoEnv, null, "models", "merge", "--base", FixturePaths.Of("gpt2-tiny-lm"), "--adapter", adapter, "--out", merged);
        Assert.True(merge.ExitCode == 0, merge.Error);
        var logprob = await CliProcess.RunAsync(NoEnv, null, "lm-logprob", "--model", merged, "--text", "Question 1? Answer 1.");
        Assert.True(logprob.ExitCode == 0, logprob.Error);
    }

    [Fact]
    public async Task Bad_sft_input_is_reported_line_by_line()
    {
        var data = Path.Combine(folder, "bad.jsonl");
        File.WriteAllLines(data,
        [
            """{"prompt": "Hi", "completion": "Hello!"}""",
            """{"prompt": "Hi", "completion": ""}""",
            """{"messages": [{"role": "user", "content": "Hi"}]}""",
        ]);
        var bad = await CliProcess.RunAsync(NoEnv, null, "sft", "--base", FixturePaths.Of("gpt2-tiny-lm"), "--data", data, "--out", Path.Combine(folder, "x"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("rlhf: bad.jsonl: line 2: field 'completion' is empty", bad.Error);
        Assert.Contains("rlhf: bad.jsonl: line 3: the messages have no assistant turn: there is nothing to learn", bad.Error);

        var orphan = await CliProcess.RunAsync(NoEnv, null, "sft", "--base", FixturePaths.Of("gpt2-tiny-lm"), "--data", data, "--out", Path.Combine(folder, "y"),
            "--lora-targets", "c_attn");
        Assert.Equal(2, orphan.ExitCode);
        Assert.Contains("--lora-targets go with --lora-r", orphan.Error);
    }
}
