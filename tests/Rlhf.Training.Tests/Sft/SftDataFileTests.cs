using Rlhf.Training.Sft;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Sft;

/// <summary>TRL SFT files: the three forms are read; every bad line is reported by its number, as the import does.</summary>
public class SftDataFileTests
{
    [Fact]
    public void Reads_prompt_completion_conversational_and_messages_records()
    {
        using var folder = new TempFolder();
        var path = folder.Sub("sft.jsonl");
        File.WriteAllLines(path,
        [
            """{"prompt": "Hi", "completion": "Hello!"}""",
            "",
            """{"prompt": [{"role": "user", "content": "Hi"}], "completion": [{"role": "assistant", "content": "Hey."}]}""",
            """{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}""",
        ]);
        var examples = SftDataFile.Read(path);
        Assert.Equal(3, examples.Count);
        Assert.Equal([ChatMessage.FromUser("Hi"), ChatMessage.FromAssistant("Hello!")], examples[0].Messages);
        Assert.Equal("Hi", examples[0].Group);
        Assert.Equal("line 1", examples[0].Source);
        Assert.Equal([ChatMessage.FromUser("Hi"), ChatMessage.FromAssistant("Hey.")], examples[1].Messages);
        Assert.Equal("line 3", examples[1].Source);
        Assert.Equal("system: Be brief.\nuser: Q", examples[2].Group);
    }

    [Fact]
    public void Bad_lines_are_each_reported_with_their_number()
    {
        using var folder = new TempFolder();
        var path = folder.Sub("bad.jsonl");
        File.WriteAllLines(path,
        [
            """{"prompt": "Hi", "completion": "Hello!"}""",
            """{"prompt": "Hi", "completion": "  "}""",
            """{"messages": [{"role": "user", "content": "Hi"}]}""",
            "{not json",
            """{"chosen": "a"}""",
        ]);
        var e = Assert.Throws<SftDataException>(() => SftDataFile.Read(path));
        Assert.Equal(4, e.Problems.Count);
        Assert.Equal("line 2: field 'completion' is empty", e.Problems[0]);
        Assert.Equal("line 3: the messages have no assistant turn: there is nothing to learn", e.Problems[1]);
        Assert.StartsWith("line 4: not valid JSON", e.Problems[2]);
        Assert.Equal("line 5: expected fields 'prompt' and 'completion', or 'messages' (TRL SFT data)", e.Problems[3]);
        Assert.StartsWith("4 examples cannot be used: line 2: field 'completion' is empty; line 3:", e.Message);
    }

    [Fact]
    public void A_prompt_longer_than_max_length_is_reported_with_its_line()
    {
        var tokenizer = ModelTokenizer.Load(FixturePaths.Lm);
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        var promptTokens = Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(longPrompt)).Length;
        var examples = new[]
        {
            SftExample.FromPromptCompletion("Hi", "Hello!", "line 1"),
            SftExample.FromPromptCompletion(longPrompt, "ok", "line 2"),
            SftExample.FromPromptCompletion(longPrompt, "ok"),
        };
        var e = Assert.Throws<SftDataException>(() => SftTrainer.EncodeAll(examples, tokenizer, 32));
        Assert.Equal([$"line 2: the prompt is {promptTokens} tokens, longer than the maximum length 32 allows (at most 31, room for one reply token)",
            $"example 3: the prompt is {promptTokens} tokens, longer than the maximum length 32 allows (at most 31, room for one reply token)"], e.Problems);
    }
}
