using Rlhf.Training.Sft;
using Rlhf.Training.Tests.Text;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Sft;

/// <summary>Completion-only masking on hand-built examples: prompt tokens carry no loss; in conversations only assistant turns do.</summary>
public class SftEncodingTests
{
    [Fact]
    public void Prompt_completion_on_gpt2_puts_loss_on_the_completion_and_the_eos_only()
    {
        var tokenizer = ModelTokenizer.Load(FixturePaths.Lm);
        var sequence = SftEncoding.Encode(SftExample.FromPromptCompletion("Name a colour", "Blue, like the sky."), tokenizer, 64);

        var prompt = Gpt2Tokenizer.Shared.Encode("User: Name a colour\nAssistant:");
        int[] completion = [.. Gpt2Tokenizer.Shared.Encode(" Blue, like the sky."), 50256];
        Assert.Equal([.. prompt, .. completion], sequence.Ids);
        Assert.Equal([.. prompt.Select(_ => false), .. completion.Select(_ => true)], sequence.Loss);
        Assert.Equal(prompt.Length, sequence.PromptLength);
        Assert.Equal(" Blue, like the sky.<|endoftext|>", LossText(tokenizer, sequence));
    }

    [Fact]
    public void Conversation_with_two_assistant_turns_on_qwen3_masks_system_user_and_template_tokens()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Folder("qwen3"));
        var example = SftDataFile.Conversation(
        [
            ChatMessage.FromSystem("Be brief."), ChatMessage.FromUser("Hi"), ChatMessage.FromAssistant("Hello!"),
            ChatMessage.FromUser("Name a colour"), ChatMessage.FromAssistant("Blue."),
        ]);
        var sequence = SftEncoding.Encode(example, tokenizer, 256);

        // The ids are the whole rendered conversation...
        var full = tokenizer.ChatTemplate.Render(example.Messages, addGenerationPrompt: false);
        Assert.Equal(full, tokenizer.Tokenizer.Decode(sequence.Ids));
        // ...and exactly two runs of tokens carry loss: each reply with its end of turn (the last one with Qwen3's empty think block).
        Assert.Equal(["Hello!<|im_end|>\n", "<think>\n\n</think>\n\nBlue.<|im_end|>\n"], LossRuns(tokenizer, sequence));
        // The prompt is what generation is fed: the conversation up to the first reply, with the generation prompt.
        Assert.Equal(tokenizer.Tokenizer.Encode(tokenizer.ChatTemplate.Render(example.Messages.Take(2).ToList(), addGenerationPrompt: true), addSpecialTokens: false),
            sequence.Ids[..sequence.PromptLength]);
    }

    [Fact]
    public void Too_long_prompts_are_refused_and_long_replies_are_cut_at_max_length()
    {
        var tokenizer = ModelTokenizer.Load(FixturePaths.Lm);
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        var promptTokens = Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(longPrompt)).Length;
        var e = Assert.Throws<FormatException>(() => SftEncoding.Encode(SftExample.FromPromptCompletion(longPrompt, "ok"), tokenizer, 16));
        Assert.Equal($"the prompt is {promptTokens} tokens, longer than the maximum length 16 allows (at most 15, room for one reply token)", e.Message);

        var cut = SftEncoding.Encode(SftExample.FromPromptCompletion("Hi", longPrompt), tokenizer, 16);
        Assert.Equal(16, cut.Ids.Length);
        Assert.Equal(16 - cut.PromptLength, cut.LossTokens);
    }

    private static string LossText(ModelTokenizer tokenizer, SftSequence s) =>
        tokenizer.Tokenizer.Decode(s.Ids.Where((_, i) => s.Loss[i]));

    private static List<string> LossRuns(ModelTokenizer tokenizer, SftSequence s)
    {
        var runs = new List<string>();
        for (var i = 0; i < s.Ids.Length; i++)
        {
            if (!s.Loss[i]) continue;
            var start = i;
            while (i < s.Ids.Length && s.Loss[i]) i++;
            runs.Add(tokenizer.Tokenizer.Decode(s.Ids[start..i]));
        }
        return runs;
    }
}
