using Rlhf.Demo.Corpus;
using Rlhf.Training.Text;

namespace Rlhf.Demo.Tests.Corpus;

public class DemoCorpusTests
{
    [Fact]
    public void Same_seed_gives_the_same_corpus_and_another_seed_differs()
    {
        var a = DemoCorpus.Examples(7, 200);
        var b = DemoCorpus.Examples(7, 200);
        var c = DemoCorpus.Examples(8, 200);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(e => e.Text), c.Select(e => e.Text));
        Assert.Equal(DemoCorpus.Prompts(7, 50), DemoCorpus.Prompts(7, 50));
        Assert.NotEqual(DemoCorpus.Prompts(7, 50), DemoCorpus.Prompts(8, 50));
        // A longer corpus starts with the shorter one.
        Assert.Equal(a.Take(50), DemoCorpus.Examples(7, 50));
    }

    [Fact]
    public void Every_example_uses_the_template_and_ends_with_one_eos()
    {
        foreach (var e in DemoCorpus.Examples(1234, 300))
        {
            Assert.Equal(ConversationTemplate.RenderWithResponse(e.Prompt, e.Reply) + "<|endoftext|>", e.Text);
            Assert.StartsWith("User: ", e.Text);
            Assert.Contains("\nAssistant: ", e.Text);
            var ids = Gpt2Tokenizer.Shared.Encode(e.Text);
            Assert.Equal(Gpt2Tokenizer.EndOfTextTokenId, ids[^1]);
            Assert.Equal(1, ids.Count(id => id == Gpt2Tokenizer.EndOfTextTokenId));
            Assert.True(ids.Length <= 256, $"{ids.Length} tokens: {e.Text}");
            Assert.DoesNotContain('{', e.Text);
            Assert.DoesNotContain('}', e.Text);
            Assert.DoesNotContain('\n', e.Prompt);
            Assert.DoesNotContain('\n', e.Reply);
            Assert.Equal(e.Prompt.Trim(), e.Prompt);
            Assert.Equal(e.Reply.Trim(), e.Reply);
            Assert.DoesNotContain("  ", e.Text);
        }
    }

    [Fact]
    public void Texts_are_the_texts_of_the_examples()
        => Assert.Equal(DemoCorpus.Examples(3, 20).Select(e => e.Text), DemoCorpus.Texts(3, 20));

    [Fact]
    public void The_corpus_is_varied_and_mixes_good_and_poor_replies()
    {
        var examples = DemoCorpus.Examples(99, 2000);
        Assert.True(examples.Select(e => e.Prompt).Distinct().Count() > 1500);
        Assert.True(examples.Select(e => e.Reply).Distinct().Count() > 1000);
        Assert.Equal(12, DemoCorpus.Topics.Count);

        // Specific, actionable replies (they say what was done: "I have ...") and poor ones both occur often.
        var actionable = examples.Count(e => e.Reply.Contains("I have ", StringComparison.Ordinal));
        var curt = examples.Count(e => e.Reply.Split(' ').Length <= 6);
        var apologetic = examples.Count(e => e.Reply.Split("sorry").Length > 3);
        Assert.InRange(actionable / 2000.0, 0.2, 0.7);
        Assert.True(curt > 100, $"{curt} curt replies");
        Assert.True(apologetic > 100, $"{apologetic} over-apologetic replies");
    }

    [Fact]
    public void Prompts_are_customer_messages_without_replies()
    {
        var prompts = DemoCorpus.Prompts(5, 100);
        Assert.Equal(100, prompts.Count);
        foreach (var p in prompts)
        {
            Assert.False(string.IsNullOrWhiteSpace(p));
            Assert.DoesNotContain("Assistant", p);
            Assert.DoesNotContain("\n", p);
            Assert.DoesNotContain("{", p);
            Assert.True(char.IsUpper(p[0]), p);
        }
    }

    [Fact]
    public void Vocabulary_holds_the_corpus_words_and_words_splits_like_it()
    {
        var vocabulary = DemoCorpus.Vocabulary();
        Assert.Equal(["hi", "i'm", "sorry", "order", "is", "late"], DemoCorpus.Words("Hi, I'm sorry: order #12345 is late!"));
        foreach (var e in DemoCorpus.Examples(4242, 200))
            Assert.All(DemoCorpus.Words(e.Prompt + " " + e.Reply), w => Assert.Contains(w, vocabulary));
        Assert.DoesNotContain("banana", vocabulary);
    }
}
