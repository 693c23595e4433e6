using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Cli.Commands;
using Rlhf.Training.Text;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// The CLI on a llama-tiny-shaped model with Llama 3's real tokenizer and chat template: --text and --prompt/--response
/// through the model's own tokenizer, and `train-reward` then `ppo` as processes.
/// </summary>
public sealed class LlamaFamilyTrainingCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-llama-cli", Guid.NewGuid().ToString("N"));
    private static readonly Dictionary<string, string> NoEnv = new();

    public LlamaFamilyTrainingCommandTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private static (int ExitCode, JsonElement Json, string Error) Run(params string[] args)
    {
        var root = new RootCommand { LmLogprobCommand.Create(), RewardScoreCommand.Create(), TokenizeCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = lines.Length == 1 ? JsonDocument.Parse(lines[0]).RootElement.Clone() : default;
        return (exitCode, json, error.ToString());
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Text_and_prompt_response_are_tokenized_by_the_models_own_tokenizer_and_template()
    {
        var model = TinyChatModels.Llama(Path.Combine(folder, "llama"));

        var tokenized = Run("tokenize", "--model", model, "--text", "Hello world");
        Assert.True(tokenized.ExitCode == 0, tokenized.Error);
        var ids = tokenized.Json.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal([9906, 1917], ids);   // this tokenizer.json's post-processor is plain ByteLevel: no BOS added
        var byText = Run("lm-logprob", "--model", model, "--text", "Hello world");
        var byIds = Run("lm-logprob", "--model", model, "--ids", string.Join(",", ids));
        Assert.True(byText.ExitCode == 0, byText.Error);
        Assert.Equal(byIds.Json.GetRawText(), byText.Json.GetRawText());

        var rendered = ChatPrompts.EncodeWithResponse(ModelTokenizer.Load(model), "Hi?", "Hello there.");
        var byPrompt = Run("lm-logprob", "--model", model, "--prompt", "Hi?", "--response", "Hello there.");
        var byRendered = Run("lm-logprob", "--model", model, "--ids", string.Join(",", rendered));
        Assert.True(byPrompt.ExitCode == 0, byPrompt.Error);
        Assert.Equal(128000, rendered[0]);   // <|begin_of_text|> from the chat template
        Assert.Equal(rendered.Length, byPrompt.Json.GetProperty("argmax").GetArrayLength());
        Assert.Equal(byRendered.Json.GetRawText(), byPrompt.Json.GetRawText());

        var half = Run("lm-logprob", "--model", model, "--prompt", "Hi?");
        Assert.Equal((2, "rlhf: --prompt and --response go together."), (half.ExitCode, half.Error.Trim()));
    }

    [Fact]
    public async Task Train_a_reward_model_from_a_Llama_model_then_run_PPO_with_both()
    {
        var policy = TinyChatModels.Llama(Path.Combine(folder, "llama"), seed: 4);
        var data = Path.Combine(folder, "prefs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 16).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Question {i % 5}?", chosen = $"Thanks! Answer {i}.", rejected = $"No. {i}" })));
        var rewardDir = Path.Combine(folder, "reward");
        var train = await CliProcess.RunAsync(NoEnv, null, "train-reward", "--data", data, "--base", policy, "--out", rewardDir,
            "--epochs", "1", "--lr", "0.001", "--batch-pairs", "4", "--max-length", "32", "--eval-every", "2");
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.True(JsonLines(train.Output)[^1].GetProperty("done").GetBoolean());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(rewardDir, "config.json")))!;
        Assert.Equal(("LlamaForSequenceClassification", "llama"), (config["architectures"]![0]!.GetValue<string>(), config["model_type"]!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(rewardDir, "tokenizer.json")));

        var chosen = Run("reward-score", "--model", rewardDir, "--prompt", "Question 1?", "--response", "Thanks! Answer 1.");
        var rejected = Run("reward-score", "--model", rewardDir, "--prompt", "Question 1?", "--response", "No. 1");
        Assert.True(chosen.ExitCode == 0, chosen.Error);
        Assert.NotEqual(chosen.Json.GetProperty("reward").GetDouble(), rejected.Json.GetProperty("reward").GetDouble());

        var prompts = Path.Combine(folder, "prompts.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(0, 4).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i}?" })));
        var policyDir = Path.Combine(folder, "policy");
        var ppo = await CliProcess.RunAsync(NoEnv, null, "ppo", "--policy", policy, "--reward", rewardDir, "--prompts", prompts,
            "--out", policyDir, "--steps", "2", "--batch", "2", "--minibatches", "1", "--ppo-epochs", "1", "--response-length", "6", "--lr", "0.0001",
            "--reward-normalization", "none");
        Assert.True(ppo.ExitCode == 0, ppo.Error);
        var ppoLines = JsonLines(ppo.Output);
        Assert.Contains(ppoLines, l => l.TryGetProperty("objective/kl", out _) && l.TryGetProperty("policy/approxkl_avg", out _));
        Assert.True(ppoLines[^1].GetProperty("done").GetBoolean());
        var saved = Run("lm-logprob", "--model", policyDir, "--prompt", "Question 1?", "--response", "Thanks!");
        Assert.True(saved.ExitCode == 0, saved.Error);
        Assert.True(double.IsFinite(saved.Json.GetProperty("sequence_logprob").GetDouble()));
    }
}
