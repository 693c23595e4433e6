using Rlhf.Training.Sampling;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Sampling;

/// <summary>
/// The sampler draws from the distribution it claims: 200,000 draws from fixed logits, compared with a chi-square test
/// against softmax(logits / T) and against the renormalised top-p nucleus. The critical value is the chi-square
/// quantile at p = 1e-6 (Wilson-Hilferty), so a correct sampler fails about once in a million seeds, while a wrong
/// temperature or a wrong nucleus gives statistics thousands of times larger; each test also shows its own power by
/// rejecting a near miss.
/// </summary>
public class SamplerDistributionTests(ITestOutputHelper output)
{
    private const int Draws = 200_000;
    private const int Vocabulary = 64;

    /// <summary>Fixed logits: a seeded normal(0, 1.5) over 64 tokens.</summary>
    private static float[] Logits()
    {
        var random = new Random(17);
        return Enumerable.Range(0, Vocabulary).Select(_ =>
        {
            var u1 = 1.0 - random.NextDouble();
            return (float)(1.5 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }).ToArray();
    }

    private static double[] Softmax(IEnumerable<double> logits)
    {
        var x = logits.ToArray();
        var max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        var z = e.Sum();
        return e.Select(v => v / z).ToArray();
    }

    /// <summary>Counts of each token in <see cref="Draws"/> draws, and the returned log-probs of the first row per token.</summary>
    private static (long[] Counts, Dictionary<long, float> LogProbs) Draw(float[] logits, GenerationConfig config, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed);
        var batch = tensor(logits).unsqueeze(0).expand(Draws, -1).contiguous();          // [Draws, V]
        var (tokens, logProbs) = Sampler.SampleStep(batch, config, generator);            // [Draws], [Draws]
        var ids = tokens.data<long>().ToArray();
        var lp = logProbs.data<float>().ToArray();
        var counts = new long[logits.Length];
        var byToken = new Dictionary<long, float>();
        for (var i = 0; i < ids.Length; i++)
        {
            counts[ids[i]]++;
            byToken.TryAdd(ids[i], lp[i]);
        }
        return (counts, byToken);
    }

    /// <summary>Pearson's statistic over the tokens with expected probability above 0.001 plus one bin for the rest (when it is expected or drawn).</summary>
    private static (double Statistic, int DegreesOfFreedom) ChiSquare(long[] counts, double[] expected)
    {
        double statistic = 0, restExpected = 0;
        long restObserved = 0;
        var bins = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (expected[i] > 0.001)
            {
                var e = expected[i] * Draws;
                statistic += (counts[i] - e) * (counts[i] - e) / e;
                bins++;
            }
            else
            {
                restExpected += expected[i] * Draws;
                restObserved += counts[i];
            }
        }
        if (restExpected > 5 || restObserved > 0)
        {
            // A rest bin expected nearly empty counts against draws that land in it (its expectation floored at 0.5).
            var e = Math.Max(restExpected, 0.5);
            statistic += (restObserved - restExpected) * (restObserved - restExpected) / e;
            bins++;
        }
        return (statistic, Math.Max(bins - 1, 1));
    }

    /// <summary>The chi-square quantile at upper tail 1e-6 (Wilson-Hilferty; z = 4.753).</summary>
    private static double Critical(int df)
    {
        const double z = 4.753;
        var a = 2.0 / (9 * df);
        return df * Math.Pow(1 - a + z * Math.Sqrt(a), 3);
    }

    [Fact]
    public void Draws_at_temperature_0_7_follow_softmax_of_logits_over_t()
    {
        TorchThreads.EnsureConfigured();
        var logits = Logits();
        var config = new GenerationConfig { Temperature = 0.7 };
        var (counts, logProbs) = Draw(logits, config, seed: 1);
        var expected = Softmax(logits.Select(l => l / 0.7));
        var (statistic, df) = ChiSquare(counts, expected);
        var (wrongT, _) = ChiSquare(counts, Softmax(logits.Select(l => l / 0.75)));
        output.WriteLine($"chi-square {statistic:F1} on {df} df (critical {Critical(df):F1}); against T = 0.75: {wrongT:F1}");
        Assert.True(statistic < Critical(df), $"chi-square {statistic:F1} >= {Critical(df):F1} on {df} degrees of freedom");
        Assert.True(wrongT > Critical(df), $"the test cannot tell T = 0.75 from 0.7 ({wrongT:F1})");
        foreach (var (token, lp) in logProbs) Assert.Equal(Math.Log(expected[token]), lp, 4);
    }

    [Fact]
    public void Draws_with_top_p_0_9_follow_the_renormalised_nucleus()
    {
        TorchThreads.EnsureConfigured();
        var logits = Logits();
        var config = new GenerationConfig { Temperature = 0.7, TopP = 0.9 };
        var (counts, logProbs) = Draw(logits, config, seed: 2);
        var full = Softmax(logits.Select(l => l / 0.7));
        // The nucleus: the most likely tokens until their mass reaches 0.9 (the token that crosses it included).
        var order = Enumerable.Range(0, Vocabulary).OrderByDescending(i => full[i]).ToArray();
        var inNucleus = new bool[Vocabulary];
        double mass = 0;
        foreach (var i in order)
        {
            if (mass >= 0.9) break;
            inNucleus[i] = true;
            mass += full[i];
        }
        var nucleus = full.Select((p, i) => inNucleus[i] ? p / mass : 0).ToArray();
        var (statistic, df) = ChiSquare(counts, nucleus);
        // A near miss: the nucleus one token short, renormalised.
        var shortNucleus = full.Select((p, i) => inNucleus[i] && i != order[inNucleus.Count(x => x) - 1] ? p : 0).ToArray();
        var shortMass = shortNucleus.Sum();
        var shortStatistic = ChiSquare(counts, shortNucleus.Select(p => p / shortMass).ToArray()).Statistic;
        output.WriteLine($"nucleus of {inNucleus.Count(x => x)} tokens holding {mass:F4}; chi-square {statistic:F1} on {df} df " +
                         $"(critical {Critical(df):F1}); against the nucleus one token short: {shortStatistic:F1}");
        Assert.True(statistic < Critical(df), $"chi-square {statistic:F1} >= {Critical(df):F1} on {df} degrees of freedom");
        Assert.True(shortStatistic > Critical(df), $"the test cannot tell a nucleus one token short ({shortStatistic:F1})");
        for (var i = 0; i < Vocabulary; i++)
            if (!inNucleus[i]) Assert.Equal(0, counts[i]);
        // The returned log-prob is that of the unfiltered tempered distribution (what PPO's logprobs are).
        foreach (var (token, lp) in logProbs) Assert.Equal(Math.Log(full[token]), lp, 4);
    }
}
