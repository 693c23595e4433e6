using System.CommandLine;
using System.Text.Json;
using Rlhf.Cli.Commands;
using Rlhf.Training.Lora;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// One LoRA option set on every training command: parsed and refused the same way everywhere, in process (no CLI
/// process started); a target module the model lacks is one line naming it.
/// </summary>
public sealed class LoraOptionsTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-lora-cli", Guid.NewGuid().ToString("N"));

    public LoraOptionsTests() => Directory.CreateDirectory(folder);
    public void Dispose() { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }

    private static readonly string[] Shared = ["--lora-r", "--lora-alpha", "--lora-dropout", "--lora-targets"];

    private static (LoraConfig? Config, string? Problem) Parse(string args, bool scoreHead = false)
    {
        var options = new LoraOptions(scoreHead);
        var command = new RootCommand();
        options.AddTo(command);
        var result = command.Parse(args);
        Assert.Empty(result.Errors);
        return (options.Read(result, out var problem), problem);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { SftCommand.Create(), TrainRewardCommand.Create(), DpoCommand.Create(), PpoCommand.Create(), GrpoCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Every_training_command_has_the_same_lora_options_and_only_train_reward_the_score_head()
    {
        foreach (var command in new[] { SftCommand.Create(), TrainRewardCommand.Create(), DpoCommand.Create(), PpoCommand.Create(), GrpoCommand.Create() })
        {
            Assert.All(Shared, n => Assert.Contains(command.Options, o => o.Name == n));
            Assert.Equal(command.Name == "train-reward", command.Options.Any(o => o.Name == "--lora-train-score-head"));
        }

        Assert.Equal((null, null), Parse(""));
        var (config, problem) = Parse("--lora-r 8 --lora-alpha 16 --lora-dropout 0.05 --lora-targets q_proj,v_proj --lora-train-score-head", scoreHead: true);
        Assert.Null(problem);
        Assert.Equal((8, 16.0, 0.05, true), (config!.Rank, config.Alpha, config.Dropout, config.TrainScoreHead));
        Assert.Equal(["q_proj", "v_proj"], config.TargetModules);
        Assert.Equal("--lora-alpha, --lora-dropout, --lora-targets go with --lora-r R (the adapter's rank)", Parse("--lora-alpha 4").Problem);
        Assert.Contains("--lora-train-score-head go with --lora-r R", Parse("--lora-train-score-head", scoreHead: true).Problem);
    }

    [Fact]
    public void Bad_settings_are_refused_before_training_and_an_unknown_target_module_is_one_line_naming_it()
    {
        var data = Path.Combine(folder, "pairs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 6).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i}?", chosen = $"Kind answer {i}.", rejected = $"Rude answer {i}." })));
        var lm = FixturePaths.Of("gpt2-tiny-lm");

        var rank = Run("train-reward", "--base", lm, "--data", data, "--out", Path.Combine(folder, "r"), "--lora-r", "0");
        Assert.Equal((2, "rlhf: --lora-r must be >= 1 (got 0)"), (rank.ExitCode, rank.Error.Trim()));
        var dropout = Run("dpo", "--policy", lm, "--data", data, "--out", Path.Combine(folder, "d"), "--lora-r", "4", "--lora-dropout", "1");
        Assert.Equal((2, "rlhf: --lora-dropout must be >= 0 and < 1 (got 1)"), (dropout.ExitCode, dropout.Error.Trim()));
        var both = Run("dpo", "--policy", lm, "--out", Path.Combine(folder, "d"));
        Assert.Equal((2, "rlhf: give exactly one of --data FILE.jsonl or --project ID"), (both.ExitCode, both.Error.Trim()));

        var unknown = Run("dpo", "--policy", lm, "--data", data, "--out", Path.Combine(folder, "u"), "--lora-r", "4", "--lora-targets", "c_attn,q_proj",
            "--epochs", "1", "--max-length", "32");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("rlhf: --lora-targets q_proj match no linear layer of this gpt2 model (its linear layers: c_attn,c_proj,c_fc)", unknown.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(folder, "u")), "nothing written");
    }
}
