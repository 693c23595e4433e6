using System.CommandLine;
using System.Text.Json;
using Rlhf.Cli.Commands;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf lm-logprob` and `rlhf reward-score` against the tiny fixtures' reference.json (in process).</summary>
public class InspectionCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { LmLogprobCommand.Create(), RewardScoreCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The real tokens of reference row <paramref name="row"/>, as "--ids" text.</summary>
    private static string Ids(JsonElement reference, int row)
    {
        var length = reference.GetProperty("lengths")[row].GetInt32();
        return string.Join(",", reference.GetProperty("input_ids")[row].EnumerateArray().Take(length).Select(x => x.GetInt64()));
    }

    private static JsonElement SingleJsonLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        return doc.RootElement.Clone();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Lm_logprob_prints_the_reference_sequence_logprob_and_argmax(int row)
    {
        var reference = FixturePaths.Reference(FixturePaths.Of("gpt2-tiny-lm"));
        var tolerance = reference.GetProperty("tolerance").GetDouble();
        var (exitCode, output, error) = Run("lm-logprob", "--model", FixturePaths.Of("gpt2-tiny-lm"), "--ids", Ids(reference, row));
        Assert.True(exitCode == 0, error);
        Assert.Equal("", error);

        var json = SingleJsonLine(output);
        var expected = reference.GetProperty("sequence_logprob")[row].GetDouble();
        Assert.InRange(json.GetProperty("sequence_logprob").GetDouble(), expected - tolerance, expected + tolerance);
        var length = reference.GetProperty("lengths")[row].GetInt32();
        var expectedArgmax = reference.GetProperty("argmax_each_position")[row].EnumerateArray().Take(length).Select(x => x.GetInt64());
        Assert.Equal(expectedArgmax, json.GetProperty("argmax").EnumerateArray().Select(x => x.GetInt64()));
    }

    [Fact]
    public void Lm_logprob_text_is_tokenized_with_gpt2_bpe()
    {
        var reference = FixturePaths.Reference(FixturePaths.Of("gpt2-tiny-lm"));
        var byIds = Run("lm-logprob", "--model", FixturePaths.Of("gpt2-tiny-lm"), "--ids", Ids(reference, 0));
        var byText = Run("lm-logprob", "--model", FixturePaths.Of("gpt2-tiny-lm"), "--text", "Hello world, this is a test.");
        Assert.Equal(0, byText.ExitCode);
        Assert.Equal(byIds.Output, byText.Output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Reward_score_prints_the_reference_reward(int row)
    {
        var reference = FixturePaths.Reference(FixturePaths.Of("gpt2-tiny-reward"));
        var tolerance = reference.GetProperty("tolerance").GetDouble();
        var (exitCode, output, error) = Run("reward-score", "--model", FixturePaths.Of("gpt2-tiny-reward"), "--ids", Ids(reference, row));
        Assert.True(exitCode == 0, error);

        var expected = reference.GetProperty("reward_last_real_token")[row].GetDouble();
        Assert.InRange(SingleJsonLine(output).GetProperty("reward").GetDouble(), expected - tolerance, expected + tolerance);
    }

    [Fact]
    public void Reward_score_accepts_text()
    {
        var reference = FixturePaths.Reference(FixturePaths.Of("gpt2-tiny-reward"));
        var (exitCode, output, _) = Run("reward-score", "--model", FixturePaths.Of("gpt2-tiny-reward"), "--text", "I like it very much");
        Assert.Equal(0, exitCode);
        var expected = reference.GetProperty("reward_last_real_token")[1].GetDouble();
        Assert.InRange(SingleJsonLine(output).GetProperty("reward").GetDouble(), expected - 1e-4, expected + 1e-4);
    }

    [Fact]
    public void Missing_folder_is_one_line_and_exit_code_1()
    {
        var folder = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        foreach (var command in new[] { "lm-logprob", "reward-score" })
        {
            var (exitCode, output, error) = Run(command, "--model", folder, "--ids", "1,2");
            Assert.Equal(1, exitCode);
            Assert.Equal("", output);
            Assert.Equal($"rlhf: {folder}: model folder not found{Environment.NewLine}", error);
        }
    }

    [Fact]
    public void Wrong_model_type_and_wrong_shape_name_file_and_key()
    {
        var temp = Path.Combine(Path.GetTempPath(), "rlhf-cli-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(temp);
            foreach (var file in new[] { "config.json", "model.safetensors" })
            {
                File.Copy(Path.Combine(FixturePaths.Of("gpt2-tiny-lm"), file), Path.Combine(temp, file));
                File.SetAttributes(Path.Combine(temp, file), FileAttributes.Normal);
            }

            // An LM checkpoint has no score head.
            var (exitCode, _, error) = Run("reward-score", "--model", temp, "--ids", "1,2");
            Assert.Equal(1, exitCode);
            Assert.Equal($"rlhf: {Path.Combine(temp, "model.safetensors")}: score.weight is missing", error.TrimEnd());

            // A wrongly shaped tensor: with n_positions 32 in config.json, wpe [64, 16] no longer fits.
            var configPath = Path.Combine(temp, "config.json");
            var config = File.ReadAllText(configPath);
            File.WriteAllText(configPath, config.Replace("\"n_positions\": 64", "\"n_positions\": 32"));
            (exitCode, _, error) = Run("lm-logprob", "--model", temp, "--ids", "1,2");
            Assert.Equal(1, exitCode);
            Assert.StartsWith($"rlhf: {Path.Combine(temp, "model.safetensors")}: transformer.wpe.weight has shape [64, 16], expected [32, 16] (config.json: ", error.TrimEnd());
            Assert.EndsWith("n_positions 32)", error.TrimEnd());

            // A model type no family here loads (llama, qwen2 and qwen3 load since issue #13).
            File.WriteAllText(configPath, config.Replace("\"gpt2\"", "\"bert\""));
            (exitCode, _, error) = Run("lm-logprob", "--model", temp, "--ids", "1,2");
            Assert.Equal(1, exitCode);
            Assert.Equal($"rlhf: {configPath}: model_type is \"bert\", expected gpt2, llama, qwen2 or qwen3", error.TrimEnd());
            Assert.DoesNotContain('\n', error.TrimEnd());
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Theory]
    [InlineData("lm-logprob", "--ids", "1,abc", "rlhf: --ids: 'abc' is not a token id (expected comma-separated integers)")]
    [InlineData("lm-logprob", "--ids", "99999", "rlhf: token id 99999 is outside the model's vocabulary (0..50256).")]
    [InlineData("reward-score", "--ids", "", "rlhf: --ids: no token ids given")]
    [InlineData("reward-score", "--text", "x", null)]
    public void Bad_ids_are_usage_errors(string command, string option, string value, string? message)
    {
        var model = FixturePaths.Of(command == "lm-logprob" ? "gpt2-tiny-lm" : "gpt2-tiny-reward");
        var (exitCode, output, error) = Run(command, "--model", model, option, value);
        if (message is null)
        {
            Assert.Equal(0, exitCode);   // control case: valid input
            return;
        }
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal(message, error.TrimEnd());
    }

    [Theory]
    [InlineData("lm-logprob")]
    [InlineData("reward-score")]
    public void Both_or_neither_of_ids_and_text_is_a_usage_error(string command)
    {
        var model = FixturePaths.Of("gpt2-tiny-lm");
        var both = Run(command, "--model", model, "--ids", "1", "--text", "a");
        Assert.Equal(2, both.ExitCode);
        Assert.Equal("rlhf: give either --ids or --text, not both.", both.Error.TrimEnd());

        var neither = Run(command, "--model", model);
        Assert.Equal(2, neither.ExitCode);
        Assert.Equal("rlhf: give --ids or --text.", neither.Error.TrimEnd());
    }

    [Fact]
    public void Missing_model_option_is_reported_by_the_parser()
    {
        var (exitCode, output, error) = Run("lm-logprob", "--ids", "1,2");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("--model", error);
    }
}
