using System.CommandLine;
using System.Text.Json;
using Rlhf.Cli.Commands;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf lm-logprob` and `rlhf reward-score` on the Llama-family fixtures reproduce their reference.json.</summary>
public class LlamaFamilyInspectionCommandTests
{

    private static (JsonElement[] Cases, double Tolerance) Reference(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturePaths.Of(name), "reference.json")));
        var root = doc.RootElement.Clone();
        return (root.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("padding").GetString() == "right").ToArray(),
            root.GetProperty("tolerance").GetDouble());
    }

    private static (int ExitCode, JsonElement Json, string Error) Run(params string[] args)
    {
        var root = new RootCommand { LmLogprobCommand.Create(), RewardScoreCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = lines.Length == 1 ? JsonDocument.Parse(lines[0]).RootElement.Clone() : default;
        return (exitCode, json, error.ToString());
    }

    private static string Ids(JsonElement c) => string.Join(",", c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()));

    [Theory]
    [InlineData("llama-tiny")]
    [InlineData("llama3-rope-tiny")]
    [InlineData("qwen3-tiny")]
    public void Lm_logprob_prints_the_reference_numbers(string fixture)
    {
        var (cases, tolerance) = Reference(fixture);
        foreach (var c in cases)
        {
            var (exitCode, json, error) = Run("lm-logprob", "--model", FixturePaths.Of(fixture), "--ids", Ids(c));
            Assert.True(exitCode == 0, error);
            var expected = c.GetProperty("sequence_logprob").GetDouble();
            Assert.InRange(json.GetProperty("sequence_logprob").GetDouble(), expected - tolerance, expected + tolerance);
            Assert.Equal(c.GetProperty("argmax").EnumerateArray().Select(x => x.GetInt64()),
                json.GetProperty("argmax").EnumerateArray().Select(x => x.GetInt64()));
        }
    }

    [Fact]
    public void Reward_score_prints_the_qwen2_reference_rewards()
    {
        var (cases, tolerance) = Reference("qwen2-reward-tiny");
        foreach (var c in cases)
        {
            var (exitCode, json, error) = Run("reward-score", "--model", FixturePaths.Of("qwen2-reward-tiny"), "--ids", Ids(c));
            Assert.True(exitCode == 0, error);
            var expected = c.GetProperty("reward").GetDouble();
            Assert.InRange(json.GetProperty("reward").GetDouble(), expected - tolerance, expected + tolerance);
        }
    }

    [Fact]
    public void Text_is_refused_for_a_model_folder_without_a_tokenizer()
    {
        var folder = FixturePaths.Of("qwen3-tiny");
        var (exitCode, _, error) = Run("lm-logprob", "--model", folder, "--text", "hello");
        Assert.Equal(1, exitCode);
        Assert.Equal($"rlhf: model folder '{folder}' has no tokenizer.json and is not a GPT-2 checkpoint (config.json model_type \"gpt2\").", error.Trim());
    }

    [Fact]
    public void An_unknown_model_type_is_refused_naming_the_value()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-cli-mistral-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), "{\"model_type\": \"mistral\"}");
            var (exitCode, _, error) = Run("lm-logprob", "--model", folder, "--ids", "1,2");
            Assert.Equal(1, exitCode);
            Assert.Equal($"rlhf: {Path.Combine(folder, "config.json")}: model_type is \"mistral\", expected gpt2, llama, qwen2 or qwen3", error.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
