using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Sampling;

public class SamplerTests : IDisposable
{
    private static readonly int[][] Prompts =
    [
        [15496, 995, 11, 428, 318],   // "Hello world, this is"
        [40, 588],                    // "I like"
        [464, 3290, 286, 4881, 318, 257, 1332],
    ];

    private readonly Gpt2LMHeadModel _model;

    public SamplerTests()
    {
        TorchThreads.EnsureConfigured();
        _model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
    }

    public void Dispose() => _model.Dispose();

    private static readonly GenerationConfig Sampling = new() { MaxNewTokens = 12, Temperature = 0.7, TopK = 50, TopP = 0.95 };

    private GenerationResult Run(GenerationConfig config, long seed, IReadOnlyList<IReadOnlyList<int>>? prompts = null)
    {
        using var generator = new Generator((ulong)seed);
        return Sampler.Generate(_model, prompts ?? Prompts, config, generator);
    }

    [Fact]
    public void Cached_and_uncached_generation_give_identical_tokens()
    {
        using var cached = Run(Sampling, 1234);
        using var uncached = Run(Sampling with { UseKvCache = false }, 1234);
        Assert.Equal(new long[] { 3, 12 }, cached.Tokens.shape);
        Assert.Equal(cached.Tokens.data<long>().ToArray(), uncached.Tokens.data<long>().ToArray());
        Assert.Equal(cached.Mask.data<long>().ToArray(), uncached.Mask.data<long>().ToArray());
        Assert.True((cached.LogProbs - uncached.LogProbs).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Same_seed_gives_the_same_output_and_another_seed_differs()
    {
        using var a = Run(Sampling, 7);
        using var b = Run(Sampling, 7);
        using var c = Run(Sampling with { Temperature = 1.5, TopK = 0, TopP = 1.0 }, 8);
        using var d = Run(Sampling with { Temperature = 1.5, TopK = 0, TopP = 1.0 }, 9);
        Assert.Equal(a.Tokens.data<long>().ToArray(), b.Tokens.data<long>().ToArray());
        Assert.Equal(a.LogProbs.data<float>().ToArray(), b.LogProbs.data<float>().ToArray());
        Assert.NotEqual(c.Tokens.data<long>().ToArray(), d.Tokens.data<long>().ToArray());
    }

    [Fact]
    public void Greedy_left_padded_rows_equal_each_prompt_generated_alone()
    {
        var greedy = new GenerationConfig { MaxNewTokens = 10, Temperature = 0 };
        using var batch = Run(greedy, 0);
        var rows = batch.TokenRows();
        for (var i = 0; i < Prompts.Length; i++)
        {
            using var alone = Run(greedy, 0, [Prompts[i]]);
            Assert.Equal(alone.TokenRows()[0], rows[i]);
            var diff = (alone.LogProbs[0] - batch.LogProbs[i]).abs().max().item<float>();
            Assert.True(diff < 1e-4, $"row {i}: log-prob difference {diff}");
        }
        // Greedy picks the argmax: the fixture's row "Hello world, this is" continues with argmax 36131 (reference.json).
        Assert.Equal(36131, rows[0][0]);
    }

    [Fact]
    public void Eos_stops_a_row_and_later_positions_are_pad_with_mask_0()
    {
        var greedy = new GenerationConfig { MaxNewTokens = 8, Temperature = 0 };
        using var free = Run(greedy, 0);
        var freeRows = free.TokenRows();
        Assert.All(free.Lengths, length => Assert.Equal(8, length));

        // Declare the token row 1 emits at step 2 to be "EOS": row 1 must stop there.
        var eos = freeRows[1][2];
        using var stopped = Run(greedy with { EosTokenId = eos, PadTokenId = 50256 }, 0);
        var expectedLength = Array.IndexOf(freeRows[1], eos) + 1;
        Assert.Equal(expectedLength, stopped.Lengths[1]);
        Assert.Equal(freeRows[1].Take(expectedLength).ToArray(), stopped.TokenRows()[1]);
        var tokens = stopped.Tokens.data<long>().ToArray();
        var mask = stopped.Mask.data<long>().ToArray();
        var logProbs = stopped.LogProbs.data<float>().ToArray();
        var n = (int)stopped.Tokens.shape[1];
        for (var t = expectedLength; t < n; t++)
        {
            Assert.Equal(50256, tokens[n + t]);
            Assert.Equal(0, mask[n + t]);
            Assert.Equal(0f, logProbs[n + t]);
        }

        // When every row has stopped, generation ends early.
        using var single = Run(greedy with { EosTokenId = eos }, 0, [Prompts[1]]);
        Assert.Equal(expectedLength, (int)single.Tokens.shape[1]);
    }

    [Theory]
    [InlineData(0.7, 1L)]
    [InlineData(1.0, 2L)]
    [InlineData(0.0, 3L)]
    public void Returned_log_probs_equal_a_full_forward_recomputation(double temperature, long seed)
    {
        using var result = Run(Sampling with { Temperature = temperature }, seed);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, mask) = result.Sequences();                                  // [B, P+N]
        var logits = _model.forward(ids, mask, Gpt2Model.PositionIdsFromMask(mask));   // [B, P+N, V]
        var P = result.PromptIds.shape[1];
        var N = result.Tokens.shape[1];
        var predicting = logits[TensorIndex.Colon, TensorIndex.Slice(P - 1, P - 1 + N)];   // [B, N, V]
        var recomputed = TokenLogProbs.Gather(predicting, result.Tokens, temperature == 0 ? 1.0 : temperature);
        var diff = ((recomputed - result.LogProbs) * result.Mask).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max difference {diff}");
        Assert.True(result.LogProbs.le(0).all().item<bool>());
    }

    [Fact]
    public void Top_k_and_top_p_filters_keep_the_right_tokens()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2f, 1f, 0f, -1f }, [1, 4]);           // probs .64 .24 .09 .03
        var topK = LogitsFilters.TopK(logits, 2).data<float>().ToArray();
        Assert.Equal(new[] { 2f, 1f, float.NegativeInfinity, float.NegativeInfinity }, topK);
        var topP = LogitsFilters.TopP(logits, 0.8).data<float>().ToArray();    // .64 < .8 <= .88
        Assert.Equal(new[] { 2f, 1f, float.NegativeInfinity, float.NegativeInfinity }, topP);
        var tiny = LogitsFilters.TopP(logits, 0.01).data<float>().ToArray();    // always keeps one
        Assert.Equal(new[] { 2f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }, tiny);
    }

    [Fact]
    public void Top_p_over_a_large_vocabulary_keeps_the_nucleus_whether_it_is_small_or_wider_than_the_ranked_candidates()
    {
        using var scope = NewDisposeScope();
        // Row 0: peaked (the nucleus is a few tokens); row 1: nearly flat over 5000 tokens (the nucleus is thousands wide).
        var peaked = randn(5000, generator: new Generator(3)) * 4;
        var flat = randn(5000, generator: new Generator(4)) * 0.01;
        var logits = stack([peaked, flat]).to_type(ScalarType.Float32);            // [2, 5000]
        var filtered = LogitsFilters.TopP(logits, 0.9);
        for (var row = 0; row < 2; row++)
        {
            // Reference: sort everything, keep while the mass ranked above is below p.
            var probs = logits[row].softmax(-1).data<float>().ToArray();
            var order = Enumerable.Range(0, probs.Length).OrderByDescending(i => probs[i]).ToArray();
            var expected = new HashSet<int>();
            double above = 0;
            foreach (var i in order) { if (above >= 0.9) break; expected.Add(i); above += probs[i]; }
            var kept = filtered[row].data<float>().ToArray().Select((v, i) => (v, i)).Where(x => !float.IsNegativeInfinity(x.v)).Select(x => x.i).ToHashSet();
            Assert.True(expected.SetEquals(kept), $"row {row}: expected {expected.Count} tokens, kept {kept.Count}");
        }
        Assert.True(filtered[1].isfinite().sum().item<long>() > 512);   // the flat row took the full-sort path
    }

    [Fact]
    public void Too_long_prompts_and_bad_settings_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Sampler.Generate(_model, [Enumerable.Repeat(1, 60).ToArray()], new GenerationConfig { MaxNewTokens = 5 }));
        Assert.Throws<ArgumentException>(() => Sampler.Generate(_model, Prompts, new GenerationConfig { TopP = 0 }));
        Assert.Throws<ArgumentException>(() => Sampler.Generate(_model, [Array.Empty<int>()], new GenerationConfig()));
    }
}
