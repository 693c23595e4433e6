using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Sampling;

/// <summary>
/// The decoding benchmark led to <see cref="Sampler.DrawTokens"/> (inverse-CDF sampling) replacing multinomial;
/// these check it still draws from the given distribution.
/// </summary>
public class BenchmarkSamplingTests
{
    public BenchmarkSamplingTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Draws_follow_the_probabilities_and_never_pick_a_zero()
    {
        var p = new float[] { 0.5f, 0f, 0.2f, 0.3f, 0f };
        const int rows = 20000;
        using var probs = tensor(p, [1, 5]).expand(rows, 5).contiguous();
        using var generator = new Generator(5);
        using var tokens = Sampler.DrawTokens(probs, generator);
        Assert.Equal(new long[] { rows }, tokens.shape);
        var counts = new int[5];
        foreach (var t in tokens.data<long>().ToArray()) counts[t]++;
        Assert.Equal(0, counts[1]);
        Assert.Equal(0, counts[4]);
        for (var i = 0; i < 5; i++)
            Assert.InRange(counts[i] / (double)rows, p[i] - 0.015, p[i] + 0.015);   // ~4.5 standard deviations
    }

    [Fact]
    public void A_one_hot_row_always_gives_its_token_and_a_seed_repeats_the_draws()
    {
        using var onehot = zeros(3, 50257);
        onehot[0, 7] = tensor(1f);
        onehot[1, 50256] = tensor(1f);
        onehot[2, 0] = tensor(1f);
        for (ulong seed = 0; seed < 20; seed++)
        {
            using var generator = new Generator(seed);
            using var tokens = Sampler.DrawTokens(onehot, generator);
            Assert.Equal(new long[] { 7, 50256, 0 }, tokens.data<long>().ToArray());
        }

        using var uniform = full(4, 1000, 1e-3f);
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        using var a = Sampler.DrawTokens(uniform, g1);
        using var b = Sampler.DrawTokens(uniform, g2);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
    }
}
