using Rlhf.Training.Ppo;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>The pure PPO functions against hand-computed numbers.</summary>
public class PpoMathTests
{
    public PpoMathTests() => TorchThreads.EnsureConfigured();

    private static float[] F(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    private static long[] L(Tensor t) => t.to_type(ScalarType.Int64).contiguous().data<long>().ToArray();

    private static bool[] Bools(Tensor t) => t.contiguous().data<bool>().ToArray();

    private static void Near(double[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Gae_of_a_three_token_response_matches_the_hand_computation()
    {
        // rewards r = [0, 0, 1], values V = [0.5, 0.6, 0.7], gamma 1, lambda 0.95, V after the last token = 0:
        // t=2: delta = 1 + 0   - 0.7 = 0.3   A2 = 0.3
        // t=1: delta = 0 + 0.7 - 0.6 = 0.1   A1 = 0.1 + 0.95 * 0.3   = 0.385
        // t=0: delta = 0 + 0.6 - 0.5 = 0.1   A0 = 0.1 + 0.95 * 0.385 = 0.46575
        // returns = A + V = [0.96575, 0.985, 1.0]
        // Second row: gamma 1, the same values but the response ends after 2 tokens (mask [1, 1, 0]), score 1 at t=1:
        // t=2 masked: A2 = 0; t=1: delta = 1 + 0 - 0.6 = 0.4, A1 = 0.4; t=0: delta = 0 + 0.6 - 0.5 = 0.1, A0 = 0.1 + 0.95 * 0.4 = 0.48
        using var rewards = tensor(new float[] { 0, 0, 1, 0, 1, 5 }, [2, 3]);   // the 5 is padding and must be ignored
        using var values = tensor(new float[] { 0.5f, 0.6f, 0.7f, 0.5f, 0.6f, 9f }, [2, 3]);
        using var mask = tensor(new[] { true, true, true, true, true, false }, [2, 3]);
        var (advantages, returns) = PpoMath.Gae(rewards, values, mask, gamma: 1.0, lam: 0.95);
        using (advantages)
        using (returns)
        {
            Near([0.46575, 0.385, 0.3, 0.48, 0.4, 0], F(advantages));
            Near([0.96575, 0.985, 1.0, 0.98, 1.0, 0], F(returns));
        }

        // gamma 0.9, lambda 0.5 on the first row: t=2: 0.3; t=1: delta = 0.9*0.7 - 0.6 = 0.03, A1 = 0.03 + 0.45 * 0.3 = 0.165;
        // t=0: delta = 0.9*0.6 - 0.5 = 0.04, A0 = 0.04 + 0.45 * 0.165 = 0.11425
        var (a2, r2) = PpoMath.Gae(rewards.narrow(0, 0, 1), values.narrow(0, 0, 1), mask.narrow(0, 0, 1), gamma: 0.9, lam: 0.5);
        using (a2)
        using (r2)
            Near([0.11425, 0.165, 0.3], F(a2));
    }

    [Fact]
    public void Whitening_gives_mean_0_and_biased_variance_1_and_can_keep_the_mean()
    {
        using var x = tensor(new float[] { 1, 2, 3, 4, 10, -7 }, [2, 3]);
        using var mask = tensor(new[] { true, true, true, true, false, false }, [2, 3]);   // values 1, 2, 3, 4: mean 2.5, biased var 1.25
        using var w = PpoMath.Whiten(x, mask);
        var s = 1 / Math.Sqrt(1.25 + 1e-8);
        Near([-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s], F(w).Take(4).ToArray());
        using var mean = PpoMath.MaskedMean(w, mask);
        using var variance = PpoMath.MaskedVar(w, mask);
        Assert.True(Math.Abs(mean.item<float>()) < 1e-6);
        Assert.True(Math.Abs(variance.item<float>() - 1) < 1e-5);
        using var unbiased = PpoMath.MaskedVar(x, mask, unbiased: true);   // TRL's Bessel correction: 1.25 * 4/3
        Assert.True(Math.Abs(unbiased.item<float>() - 1.25 * 4 / 3) < 1e-5);

        using var kept = PpoMath.Whiten(x, mask, shiftMean: false);   // scale only: (x - 2.5) * s + 2.5
        using var keptMean = PpoMath.MaskedMean(kept, mask);
        Assert.True(Math.Abs(keptMean.item<float>() - 2.5) < 1e-5);
        Near([2.5 - 1.5 * s, 2.5 - 0.5 * s, 2.5 + 0.5 * s, 2.5 + 1.5 * s], F(kept).Take(4).ToArray());

        using var all = PpoMath.Whiten(x, null);   // no mask: every element
        using var ones = ones_like(x);
        Assert.True(Math.Abs(PpoMath.MaskedMean(all, ones).item<float>()) < 1e-5);
        Assert.True(Math.Abs(PpoMath.MaskedVar(all, ones).item<float>() - 1) < 1e-5);
    }

    [Fact]
    public void K1_and_k3_have_the_expected_values_and_k3_is_never_negative()
    {
        using var logp = tensor(new float[] { -1f, -2f, -0.5f });
        using var refLogp = tensor(new float[] { -1.5f, -1f, -0.5f });
        using var k1 = PpoMath.KlK1(logp, refLogp);
        Near([0.5, -1, 0], F(k1));   // logp - ref
        // k3 = (r - 1) - log r, log r = ref - logp = [-0.5, 1, 0]
        using var k3 = PpoMath.KlK3(logp, refLogp);
        Near([Math.Exp(-0.5) - 1 + 0.5, Math.E - 1 - 1, 0], F(k3));
        using var byName = PpoMath.Kl("k3", logp, refLogp);
        Near(F(k3).Select(x => (double)x).ToArray(), F(byName));
        Assert.Throws<ArgumentException>(() => PpoMath.Kl("k2", logp, refLogp));

        using var g = new Generator(3);
        using var a = randn(1000, generator: g) * 3;
        using var b = randn(1000, generator: g) * 3;
        using var many = PpoMath.KlK3(a, b);
        Assert.True(many.min().item<float>() >= 0);
        using var k1Many = PpoMath.KlK1(a, b);
        Assert.True(k1Many.min().item<float>() < 0);   // k1 can be negative per sample
    }

    [Fact]
    public void Adaptive_kl_moves_beta_by_the_capped_proportional_error()
    {
        const double beta = 0.05, target = 6, n = 16, horizon = 10000;
        Assert.Equal(beta, PpoMath.AdaptiveKlUpdate(beta, 6, target, n, horizon), 12);                          // at target: unchanged
        Assert.Equal(beta * (1 + 0.2 * n / horizon), PpoMath.AdaptiveKlUpdate(beta, 1.2 * target, target, n, horizon), 12);
        Assert.Equal(beta * (1 + 0.2 * n / horizon), PpoMath.AdaptiveKlUpdate(beta, 5 * target, target, n, horizon), 12);   // capped
        Assert.Equal(beta * (1 - 0.2 * n / horizon), PpoMath.AdaptiveKlUpdate(beta, 0.8 * target, target, n, horizon), 12);
        Assert.Equal(beta * (1 - 0.2 * n / horizon), PpoMath.AdaptiveKlUpdate(beta, 0, target, n, horizon), 12);            // capped
        Assert.Equal(beta * (1 + 0.1 * n / horizon), PpoMath.AdaptiveKlUpdate(beta, 1.1 * target, target, n, horizon), 12); // proportional
        Assert.True(PpoMath.AdaptiveKlUpdate(beta, 7, target, n, horizon) > beta);
    }

    [Fact]
    public void Responses_are_truncated_after_the_first_eos_and_the_masks_follow()
    {
        const int eos = 50256, pad = 0;
        using var responses = tensor(new long[] { 5, eos, 7, 8, 1, 2, 3, 4, eos, 9, eos, 9 }, [3, 4]);
        using var truncated = PpoMath.TruncateAtEos(responses, eos, pad);
        Assert.Equal([5, eos, pad, pad, 1, 2, 3, 4, eos, pad, pad, pad], L(truncated));

        using var lengths = PpoMath.SequenceLengths(truncated, eos);          // index of the last valid token (the EOS is valid)
        Assert.Equal([1, 3, 0], L(lengths));
        using var noStop = PpoMath.SequenceLengths(truncated, null);
        Assert.Equal([3, 3, 3], L(noStop));
        using var padding = PpoMath.PaddingMask(lengths, 4);
        Assert.Equal([false, false, true, true, false, false, false, false, false, true, true, true], Bools(padding));
        using var hasEos = PpoMath.ContainsEos(truncated, eos, padding);
        Assert.Equal([true, false, true], Bools(hasEos));
        using var first = PpoMath.FirstTrueIndices(responses.eq(eos));
        Assert.Equal([1, 4, 0], L(first));   // none: the row length
    }

    [Fact]
    public void The_missing_eos_penalty_hits_only_responses_without_eos()
    {
        using var scores = tensor(new float[] { 1f, 2f, 3f, -1f });
        using var hasEos = tensor(new[] { true, false, true, false });
        using var penalised = PpoMath.ApplyMissingEosPenalty(scores, hasEos, 1.0);
        Near([1, 1, 3, -2], F(penalised));
    }

    [Fact]
    public void The_score_is_added_at_the_last_valid_token()
    {
        using var nonScore = tensor(new float[] { -0.1f, -0.2f, 0, 0, -0.1f, -0.1f, -0.1f, -0.1f }, [2, 4]);
        using var scores = tensor(new float[] { 2f, 3f });
        using var lengths = tensor(new long[] { 1, 3 });
        using var rewards = PpoMath.AddScoreAtEnd(nonScore, scores, lengths);
        Near([-0.1, 1.8, 0, 0, -0.1, -0.1, -0.1, 2.9], F(rewards));
    }

    [Fact]
    public void Entropy_from_logits_matches_the_definition()
    {
        using var logits = tensor(new float[] { 0, 0, 0, 0, 10, 0, 0, 0 }, [2, 4]);
        using var entropy = PpoMath.EntropyFromLogits(logits);
        var p = Math.Exp(10) / (Math.Exp(10) + 3);
        var q = 1 / (Math.Exp(10) + 3);
        Near([Math.Log(4), -(p * Math.Log(p) + 3 * q * Math.Log(q))], F(entropy));
    }

    [Fact]
    public void On_the_sampling_weights_the_loss_has_ratio_1_approxkl_0_and_clipfrac_0()
    {
        using var g = new Generator(5);
        using var logprobs = -rand(4, 6, generator: g) * 3;
        using var padding = tensor(new[]
        {
            false, false, false, false, false, false,  false, false, false, true, true, true,
            false, true, true, true, true, true,        false, false, false, false, false, true,
        }, [4, 6]);
        using var oldLogprobs = logprobs.masked_fill(padding, PpoMath.InvalidLogProb);
        using var rawAdvantages = randn(4, 6, generator: g);
        using var advantages = PpoMath.Whiten(rawAdvantages, padding.logical_not()).masked_fill(padding, 0);
        using var values = randn(4, 6, generator: g).masked_fill(padding, 0);
        using var returns = (values + randn(4, 6, generator: g)).masked_fill(padding, 0);
        using var newLogprobs = logprobs.clone().requires_grad_(true);
        using var vpred = values.clone().requires_grad_(true);

        using var terms = PpoLoss.Compute(newLogprobs, oldLogprobs, advantages, vpred, values, returns, padding, 0.2, 0.2, 0.1);
        Assert.Equal(1.0, terms.RatioMean.item<float>(), 6);
        Assert.Equal(0.0, terms.ApproxKl.item<float>(), 9);
        Assert.Equal(0.0, terms.PgClipfrac.item<float>(), 9);
        Assert.Equal(0.0, terms.VfClipfrac.item<float>(), 9);
        // ratio 1: pg_loss = masked_mean(-A) = 0 for whitened advantages; vf_loss = 0.5 * masked_mean((V - R)^2)
        Assert.Equal(0.0, terms.PgLoss.item<float>(), 5);
        using var valid = padding.logical_not();
        using var expectedVf = 0.5 * PpoMath.MaskedMean((values - returns).square(), valid);
        Assert.Equal(expectedVf.item<float>(), terms.VfLoss.item<float>(), 5);
        terms.Loss.backward();
        Assert.NotNull(newLogprobs.grad);
    }

    [Fact]
    public void The_policy_and_value_losses_clip_as_ppo_does()
    {
        // One valid position each: A = +1 with ratio e^0.5 (> 1.2: clipped, the loss uses 1.2); A = -1 with ratio e^0.5
        // (unclipped term -A*ratio is larger: not clipped); third position padding.
        using var oldLogprobs = tensor(new float[] { -1f, -1f, PpoMath.InvalidLogProb }, [1, 3]);
        using var newLogprobs = tensor(new float[] { -0.5f, -0.5f, -3f }, [1, 3]);
        using var advantages = tensor(new float[] { 1f, -1f, 0f }, [1, 3]);
        using var padding = tensor(new[] { false, false, true }, [1, 3]);
        // values: old 0, new 1 (clipped to 0.2), returns 1 -> (1-1)^2 = 0 vs (0.2-1)^2 = 0.64: the max is the clipped one
        using var values = zeros(1, 3);
        using var vpred = tensor(new float[] { 1f, 0.1f, 5f }, [1, 3]);
        using var returns = tensor(new float[] { 1f, 0f, 0f }, [1, 3]);
        using var terms = PpoLoss.Compute(newLogprobs, oldLogprobs, advantages, vpred, values, returns, padding, 0.2, 0.2, 0.1);
        var ratio = Math.Exp(0.5);
        var pgLoss = (-1.2 + ratio) / 2;                                     // max(-1*r, -1*1.2) = -1.2; max(r, 1.2) = r
        Assert.Equal(pgLoss, terms.PgLoss.item<float>(), 5);
        Assert.Equal(0.5, terms.PgClipfrac.item<float>(), 6);                 // the first position only
        var vfLoss = 0.5 * ((0.64 + 0.01) / 2);                               // position 2: vpred 0.1 inside the clip range, (0.1 - 0)^2
        Assert.Equal(vfLoss, terms.VfLoss.item<float>(), 5);
        Assert.Equal(0.5, terms.VfClipfrac.item<float>(), 6);
        Assert.Equal(pgLoss + 0.1 * vfLoss, terms.Loss.item<float>(), 5);
        Assert.Equal(0.5 * (0.25 + 0.25 + 0) / 3, terms.ApproxKl.item<float>(), 6);   // over all positions; padding diff 0
    }

    [Fact]
    public void Config_validation_names_the_cli_options()
    {
        Assert.Empty(new PpoConfig().Validate());
        var problems = new PpoConfig { BatchSize = 10, MiniBatches = 4, KlEstimator = "k2", Temperature = 0, Lam = 2 }.Validate();
        Assert.Contains(problems, p => p.Contains("--minibatches"));
        Assert.Contains(problems, p => p.Contains("--kl-estimator"));
        Assert.Contains(problems, p => p.Contains("--temperature"));
        Assert.Contains(problems, p => p.Contains("--lam"));
        Assert.Throws<ArgumentException>(() => new PpoTrainer(new PpoConfig { Steps = 0 }));
    }
}
