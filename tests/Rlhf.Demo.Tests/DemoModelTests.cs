using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Demo.Corpus;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using Rlhf.Training;
using TorchSharp;

namespace Rlhf.Demo.Tests;

/// <summary>The shipped demo policy (models/demo-policy, copied next to the test assembly).</summary>
public class DemoModelTests : IDisposable
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "demo-policy");

    private readonly Gpt2LMHeadModel _model;

    public DemoModelTests()
    {
        TorchThreads.EnsureConfigured();
        _model = Gpt2Checkpoint.LoadLanguageModel(Folder);
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    public void The_demo_policy_is_a_small_gpt2_of_at_most_25_MB()
    {
        var files = Directory.GetFiles(Folder);
        Assert.Equal(["config.json", "model.safetensors"], files.Select(Path.GetFileName).Order());
        var bytes = files.Sum(f => new FileInfo(f).Length);
        Assert.True(bytes <= 25_000_000, $"{bytes} bytes");

        var config = _model.Config;
        Assert.Equal(50257, config.VocabSize);
        Assert.Equal(256, config.NPositions);
        Assert.Equal(Gpt2Config.EndOfTextTokenId, config.EosTokenId);
        Assert.Equal([Gpt2Config.LmArchitecture], config.Architectures);
    }

    [Fact]
    public void Seeded_samples_for_support_prompts_are_corpus_english_and_stop_at_eos()
    {
        var vocabulary = DemoCorpus.Vocabulary();
        string[] prompts =
        [
            "Hi! My order #48213 was supposed to arrive on Monday, but it still has not come. Can you tell me where it is?",
            "I forgot my password and the reset link is not working. Thanks, Anna.",
            "The blue kettle I ordered arrived damaged. The handle came off when I took it out of the box.",
            "How do I cancel my premium plan? I do not want it to renew next month.",
        ];
        var config = new GenerationConfig { MaxNewTokens = 128, Temperature = 0.8 };
        using var generator = new torch.Generator(2024);
        using var result = Sampler.Generate(_model,
            prompts.Select(p => (IReadOnlyList<int>)Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(p))).ToArray(),
            config, generator);
        var rows = result.TokenRows();
        for (var i = 0; i < prompts.Length; i++)
        {
            var reply = Gpt2Tokenizer.Shared.Decode(rows[i], skipSpecialTokens: true);
            Assert.True(rows[i].Length <= config.MaxNewTokens);
            Assert.True(rows[i][^1] == Gpt2Tokenizer.EndOfTextTokenId, $"no EOS within {config.MaxNewTokens} tokens: {reply}");
            var words = DemoCorpus.Words(reply).ToArray();
            Assert.True(words.Length >= 2, $"reply too short: '{reply}'");
            var known = words.Count(vocabulary.Contains);
            Assert.True(known >= 0.9 * words.Length, $"{known} of {words.Length} words are corpus words: {reply}");
        }
    }
}
