using System.CommandLine;
using System.Text.Json;
using Rlhf.Cli.Commands;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf tokenize` (in process) against the Qwen3 / Llama 3 references and the GPT-2 fixture.</summary>
public class TokenizeCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("rlhf-tokenize-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string References => Path.Combine(AppContext.BaseDirectory, "Text", "References");

    private static JsonElement Reference(string section)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(References, "references.json")));
        return doc.RootElement.GetProperty(section).Clone();
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { TokenizeCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private static JsonElement SingleJsonLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        return doc.RootElement.Clone();
    }

    private static int[] Ids(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    [Theory]
    [InlineData("qwen3", 24)]   // "Hi<|im_start|>user\nhello<|im_end|>\n"
    [InlineData("llama3", 18)]  // emoji
    [InlineData("qwen3", 14)]   // CJK
    public void Text_prints_the_reference_ids(string model, int index)
    {
        var reference = Reference(model).GetProperty("encodings")[index];
        var (exitCode, output, error) = Run("tokenize", "--model", Path.Combine(References, model), "--text", reference.GetProperty("text").GetString()!);
        Assert.True(exitCode == 0, error);
        Assert.Equal(Ids(reference.GetProperty("ids")), Ids(SingleJsonLine(output).GetProperty("ids")));
    }

    [Theory]
    [InlineData("qwen3", 4, false)]   // multi-turn with a system message
    [InlineData("qwen3", 5, true)]
    [InlineData("llama3", 3, true)]
    public void Messages_print_the_rendered_text_and_its_ids(string model, int index, bool generationPrompt)
    {
        var chat = Reference(model).GetProperty("chats")[index];
        Assert.Equal(generationPrompt, chat.GetProperty("add_generation_prompt").GetBoolean());
        var file = Path.Combine(_temp, "messages.json");
        File.WriteAllText(file, chat.GetProperty("messages").GetRawText());

        string[] args = ["tokenize", "--model", Path.Combine(References, model), "--messages", file];
        var (exitCode, output, error) = Run(generationPrompt ? [.. args, "--generation-prompt"] : args);

        Assert.True(exitCode == 0, error);
        var json = SingleJsonLine(output);
        Assert.Equal(chat.GetProperty("text").GetString(), json.GetProperty("text").GetString());
        Assert.Equal(Ids(chat.GetProperty("ids")), Ids(json.GetProperty("ids")));
    }

    [Fact]
    public void Gpt2_checkpoint_uses_gpt2_bpe_and_the_demo_template()
    {
        var gpt2 = FixturePaths.Of("gpt2-tiny-lm");
        var (exitCode, output, error) = Run("tokenize", "--model", gpt2, "--text", "Hello world");
        Assert.True(exitCode == 0, error);
        Assert.Equal("{\"ids\":[15496,995]}", output.Trim());

        var file = Path.Combine(_temp, "messages.json");
        File.WriteAllText(file, """[{"role":"user","content":"Hi"}]""");
        (exitCode, output, error) = Run("tokenize", "--model", gpt2, "--messages", file, "--generation-prompt");
        Assert.True(exitCode == 0, error);
        Assert.Equal("User: Hi\nAssistant:", SingleJsonLine(output).GetProperty("text").GetString());
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit_code()
    {
        var qwen3 = Path.Combine(References, "qwen3");
        var missing = Path.Combine(_temp, "no-such-model");
        AssertFails(1, $"rlhf: model folder '{missing}' does not exist.", "tokenize", "--model", missing, "--text", "hi");
        AssertFails(2, "rlhf: give --text or --messages.", "tokenize", "--model", qwen3);
        AssertFails(2, "rlhf: give either --text or --messages, not both.", "tokenize", "--model", qwen3, "--text", "a", "--messages", "m.json");
        AssertFails(2, "rlhf: --generation-prompt goes with --messages, not --text.", "tokenize", "--model", qwen3, "--text", "a", "--generation-prompt");

        var file = Path.Combine(_temp, "m.json");
        AssertFails(2, $"rlhf: --messages: file '{file}' does not exist.", "tokenize", "--model", qwen3, "--messages", file);
        File.WriteAllText(file, """{"role":"user","content":"Hi"}""");
        AssertFails(2, "rlhf: --messages: m.json: expected a JSON array of {\"role\", \"content\"} objects.", "tokenize", "--model", qwen3, "--messages", file);
        File.WriteAllText(file, """[{"role":"user"}]""");
        AssertFails(2, "rlhf: --messages: m.json: message 1 has no \"content\" string.", "tokenize", "--model", qwen3, "--messages", file);
        File.WriteAllText(file, "[{\"role\":");
        var (exitCode, _, error) = Run("tokenize", "--model", qwen3, "--messages", file);
        Assert.Equal(2, exitCode);
        Assert.StartsWith("rlhf: --messages: m.json: not valid JSON (", error);
        File.WriteAllText(file, """[{"role":"tool","content":"42"}]""");
        AssertFails(1, "rlhf: the qwen3 chat template takes roles system, user and assistant, not 'tool'.", "tokenize", "--model", qwen3, "--messages", file);
    }

    private static void AssertFails(int expectedExitCode, string expectedError, params string[] args)
    {
        var (exitCode, output, error) = Run(args);
        Assert.Equal(expectedExitCode, exitCode);
        Assert.Equal("", output);
        Assert.Equal(expectedError, error.TrimEnd('\n'));
    }
}
