using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>Scripted <see cref="IScorer"/>s and data for the PPO trainer tests.</summary>
internal static class PpoTestScorers
{
    public static readonly string[] Prompts =
    [
        "How do I bake bread?", "Name a colour", "What is the best way to fix a bike?", "Tell me a joke",
        "How do I learn french?", "Write a poem about rain", "Can you tell me how to tie a knot?", "What should I cook tonight?",
    ];

    /// <summary>
    /// The <paramref name="count"/> most frequent tokens (ties by id) in a seeded sample of the tiny fixture policy:
    /// 8 responses of <paramref name="responseLength"/> tokens for each of the 8 <see cref="Prompts"/>, temperature 0.7.
    /// Returns them and their share of the sampled tokens.
    /// </summary>
    public static (HashSet<long> Tokens, double Share) FrequentTokens(int count, int responseLength, int seed = 7)
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        var queries = Prompts.Select(p => (IReadOnlyList<int>)Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(p))).ToArray();
        using var generator = new Generator((ulong)seed);
        using var result = Sampler.Generate(model, Enumerable.Range(0, 8).SelectMany(_ => queries).ToArray(),
            new GenerationConfig { MaxNewTokens = responseLength, Temperature = 0.7 }, generator);
        var tokens = result.TokenRows().SelectMany(x => x).ToArray();
        var set = tokens.GroupBy(x => x).OrderByDescending(x => x.Count()).ThenBy(x => x.Key).Take(count).Select(x => (long)x.Key).ToHashSet();
        return (set, tokens.Average(t => set.Contains(t) ? 1.0 : 0.0));
    }

    /// <summary>Score = scale x the share of valid response tokens that are in a token set (a stop token counts as a token).</summary>
    public sealed class TokenShareScorer(IReadOnlyCollection<long> tokens, double scale) : IScorer
    {
        public int Calls { get; private set; }

        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
        {
            Calls++;
            using var scope = NewDisposeScope();
            var n = queryResponseIds.shape[1] - contextLength;
            var responses = queryResponseIds.narrow(1, contextLength, n);                        // [B, N]
            var valid = mask.narrow(1, contextLength, n).to_type(ScalarType.Float32);            // [B, N]
            var inSet = zeros_like(valid);
            foreach (var t in tokens) inSet = inSet + responses.eq(t).to_type(ScalarType.Float32);
            return scope.MoveToOuter(scale * (inSet * valid).sum(1) / valid.sum(1).clamp_min(1));   // [B]
        }
    }

    /// <summary>The same score for every response.</summary>
    public sealed class ConstantScorer(float value) : IScorer
    {
        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength) => full(queryResponseIds.shape[0], value);
    }
}
