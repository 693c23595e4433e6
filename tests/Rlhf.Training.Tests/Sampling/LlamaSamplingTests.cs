using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using Rlhf.Training.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Sampling;

/// <summary>The sampler drives a Llama-family model through <see cref="ICausalLanguageModel"/>, with its KV cache.</summary>
public class LlamaSamplingTests
{
    public LlamaSamplingTests() => TorchThreads.EnsureConfigured();

    // Prompts of different lengths, so they are left-padded and the cache sees padding; no EOS stop, so every row runs 10 steps.
    private static readonly IReadOnlyList<IReadOnlyList<int>> Prompts = [[7, 422, 49, 298, 338], [463, 475, 75], [476, 261, 100, 449]];

    private static GenerationResult Greedy(string fixture, bool cache)
    {
        using var lm = ModelLoader.LoadLanguageModel(LlamaFixtureCase.Folder(fixture));
        var config = new GenerationConfig
        {
            MaxNewTokens = 10, Temperature = 0, StopAtEos = false, UseKvCache = cache,
            EosTokenId = lm.EosTokenIds[0], PadTokenId = lm.PadTokenId,
        };
        return Sampler.Generate(lm, Prompts, config);
    }

    [Theory]
    [InlineData("llama-tiny")]
    [InlineData("llama3-rope-tiny")]
    [InlineData("qwen3-tiny")]
    public void Greedy_generation_with_the_cache_equals_generation_without_it(string fixture)
    {
        using var cached = Greedy(fixture, cache: true);
        using var uncached = Greedy(fixture, cache: false);
        Assert.Equal(new long[] { 3, 10 }, cached.Tokens.shape);
        Assert.Equal(uncached.Tokens.data<long>().ToArray(), cached.Tokens.data<long>().ToArray());
        Assert.True((cached.LogProbs - uncached.LogProbs).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Greedy_first_token_is_the_reference_argmax_at_the_prompts_last_position()
    {
        // llama-tiny reference row 0: ids 7 422 49 298 338 364 155, argmax after 338 (position 4) is 338.
        using var cached = Greedy("llama-tiny", cache: true);
        Assert.Equal(338, cached.Tokens[0, 0].item<long>());
    }
}
