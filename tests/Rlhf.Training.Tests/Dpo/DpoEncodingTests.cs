using Rlhf.Training.Dpo;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Dpo;

/// <summary>How pairs become token rows: the chat template, TRL's truncation, and the pairs skipped with their reason.</summary>
public class DpoEncodingTests
{
    private static readonly ModelTokenizer Gpt2 = ModelTokenizer.Load(FixturePaths.Lm);

    [Fact]
    public void Completion_is_what_the_template_adds_after_the_prompt_plus_eos_for_the_plain_text_template()
    {
        var (prompt, chosen, rejected) = DpoEncoding.EncodePair(Gpt2, "Hi", "Hello there", "Go away");
        Assert.Equal(Gpt2Tokenizer.Shared.Encode("User: Hi\nAssistant:"), prompt);
        Assert.Equal([.. Gpt2Tokenizer.Shared.Encode(" Hello there"), Gpt2Tokenizer.EndOfTextTokenId], chosen);
        Assert.Equal([.. Gpt2Tokenizer.Shared.Encode(" Go away"), Gpt2Tokenizer.EndOfTextTokenId], rejected);
    }

    [Fact]
    public void Rows_are_cut_as_trl_cuts_them()
    {
        int[] prompt = [1, 2, 3, 4], completion = [5, 6, 7];
        var (start, startPrompt) = DpoTruncation.Row(prompt, completion, 5, DpoTruncation.KeepStart);
        Assert.Equal([1, 2, 3, 4, 5], start);
        Assert.Equal(4, startPrompt);
        var (ids, promptTokens) = DpoTruncation.Row(prompt, completion, 5, DpoTruncation.KeepEnd);
        Assert.Equal([3, 4, 5, 6, 7], ids);
        Assert.Equal(2, promptTokens);
        Assert.Equal([3, 4], DpoTruncation.Prompt(prompt, 2));
        Assert.Equal([5, 6], DpoTruncation.Completion(completion, 2));
        var (whole, wholePrompt) = DpoTruncation.Row(prompt, completion, 9, DpoTruncation.KeepStart);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], whole);
        Assert.Equal(4, wholePrompt);
    }

    [Fact]
    public void Unlearnable_pairs_are_skipped_one_by_one_with_their_reason()
    {
        var longPrompt = string.Join(" ", Enumerable.Repeat("word", 40));
        List<PreferencePair> pairs =
        [
            new("Hi", "Hello", "Go away"),
            new("Hi", "  ", "Go away"),
            new("Hi", "Hello", ""),
            new("Hi", "Same answer", " Same answer "),
            new(longPrompt, "Yes", "No"),
            new("Bye", "Goodbye", "Whatever"),
        ];
        var (examples, skipped) = DpoEncoding.Encode(Gpt2, pairs, new DpoConfig(), maxLength: 32);
        Assert.Equal([0, 5], examples.Select(e => e.PairIndex));
        Assert.Equal(
        [
            (1, "the chosen response is empty"), (2, "the rejected response is empty"), (3, "chosen and rejected are identical"),
            (4, "the prompt has 45 tokens, max length is 32: nothing of the responses would be left"),
        ], skipped.Select(s => (s.PairIndex, s.Reason)));

        // keep_end keeps the responses' end, so the long prompt stays (TRL drops only under keep_start).
        var (kept, _) = DpoEncoding.Encode(Gpt2, pairs, new DpoConfig { TruncationMode = DpoTruncation.KeepEnd }, maxLength: 32);
        Assert.Equal([0, 4, 5], kept.Select(e => e.PairIndex));
    }
}
