using Rlhf.Training.Grpo;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Grpo;

/// <summary>GRPO's advantages, k3 KL term and loss aggregations against hand-computed numbers.</summary>
public class GrpoMathTests
{
    public GrpoMathTests() => TorchThreads.EnsureConfigured();

    private static float[] F(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    private static void Near(double[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Advantages_are_centred_and_scaled_per_group_and_a_group_of_equal_rewards_gets_zero()
    {
        // Group 1: rewards 1, 2, 3, 6: mean 3, deviations -2, -1, 0, 3; unbiased variance (4 + 1 + 0 + 9) / 3 = 14/3.
        // Group 2: four rewards of 0.5: std 0, advantages 0 (TRL: 0 / (0 + 1e-4)), never NaN.
        using var rewards = tensor(new float[] { 1, 2, 3, 6, 0.5f, 0.5f, 0.5f, 0.5f });
        var std = Math.Sqrt(14.0 / 3);
        var (scaled, groupStd) = GrpoAdvantages.Compute(rewards, 4, scaleRewards: true);
        using (scaled)
        using (groupStd)
        {
            var s = std + GrpoAdvantages.StdEpsilon;
            Near([-2 / s, -1 / s, 0, 3 / s, 0, 0, 0, 0], F(scaled));
            Near([std, std, std, std, 0, 0, 0, 0], F(groupStd));
        }
        var (centred, _) = GrpoAdvantages.Compute(rewards, 4, scaleRewards: false);   // Dr. GRPO: no std
        using (centred) Near([-2, -1, 0, 3, 0, 0, 0, 0], F(centred));

        // Two groups of two with the rewards swapped: each group is judged on its own, not against the batch.
        using var pairs = tensor(new float[] { 10, 11, 0, 1 });
        var (a, _) = GrpoAdvantages.Compute(pairs, 2, scaleRewards: true);
        var s2 = Math.Sqrt(0.5) + GrpoAdvantages.StdEpsilon;
        using (a) Near([-0.5 / s2, 0.5 / s2, -0.5 / s2, 0.5 / s2], F(a));
        Assert.Throws<ArgumentException>(() => GrpoAdvantages.Compute(rewards, 3, scaleRewards: true));
    }

    [Fact]
    public void The_k3_term_has_its_value_and_the_gradient_of_kl_from_the_reference()
    {
        // logp -1, -2; ref_logp -1.5, -1: k3 = e^(ref - logp) - (ref - logp) - 1 = e^-0.5 - 0.5 (0.10653), e - 2 (0.71828).
        // d k3 / d logp = 1 - e^(ref - logp) = 1 - e^-0.5 (0.39347), 1 - e (-1.71828): the sampled gradient of KL(ref || pi).
        // With A = 0 and beta 1, bnpo over the two tokens: loss = mean k3, gradient = (1 - rho) / 2.
        using var logp = tensor(new float[] { -1, -2 }, [1, 2]).requires_grad_();
        using var old = tensor(new float[] { -1, -2 }, [1, 2]);
        using var refLogp = tensor(new float[] { -1.5f, -1 }, [1, 2]);
        using var advantages = zeros(1);
        using var mask = ones(1, 2);
        using var terms = GrpoLoss.Compute(logp, old, refLogp, advantages, mask, beta: 1, epsilon: 0.2, epsilonHigh: 0.2, GrpoConfig.LossBnpo, 2);
        var k3 = new[] { Math.Exp(-0.5) + 0.5 - 1, Math.E - 1 - 1 };
        Assert.Equal((k3[0] + k3[1]) / 2, terms.Loss.item<float>(), 5);
        Assert.Equal((k3[0] + k3[1]) / 2, terms.Kl!.item<float>(), 5);
        terms.Loss.backward();
        Near([(1 - Math.Exp(-0.5)) / 2, (1 - Math.E) / 2], F(logp.grad!));

        // beta 0: no KL term, no kl metric, no reference needed.
        using var noKl = GrpoLoss.Compute(logp.detach(), old, null, advantages, mask, beta: 0, epsilon: 0.2, epsilonHigh: 0.2, GrpoConfig.LossBnpo, 2);
        Assert.Null(noKl.Kl);
        Assert.Equal(0.0, noKl.Loss.item<float>(), 6);
    }

    /// <summary>
    /// Two completions, N = 3: row 0 has 3 valid tokens and A = 1, row 1 one valid token and A = -2. At ratio 1 the
    /// per-token loss is -A: row 0 [-1, -1, -1], row 1 [2] (its padding ignored).
    /// grpo = mean(-1, 2) = 0.5; bnpo = (-3 + 2) / 4 = -0.25; dr_grpo = (-3 + 2) / (2 x max_completion_length).
    /// </summary>
    [Theory]
    [InlineData(GrpoConfig.LossGrpo, 3, 0.5)]
    [InlineData(GrpoConfig.LossBnpo, 3, -0.25)]
    [InlineData(GrpoConfig.LossDrGrpo, 3, -1.0 / 6)]
    [InlineData(GrpoConfig.LossDrGrpo, 4, -1.0 / 8)]
    public void Each_loss_aggregation_matches_the_hand_computation(string lossType, int maxCompletionLength, double expected)
    {
        using var logp = tensor(new float[] { -1, -1, -1, -2, 5, 5 }, [2, 3]);
        using var advantages = tensor(new float[] { 1, -2 });
        using var mask = tensor(new float[] { 1, 1, 1, 1, 0, 0 }, [2, 3]);
        using var terms = GrpoLoss.Compute(logp, logp, null, advantages, mask, beta: 0, epsilon: 0.2, epsilonHigh: 0.2, lossType, maxCompletionLength);
        Assert.Equal(expected, terms.Loss.item<float>(), 6);
        Assert.Equal(0.0, terms.RegionClipped.item<float>(), 9);
    }

    /// <summary>
    /// Row 0 (A = 1) at ratio 1.5 on its 3 tokens: clipped high to 1.2, loss -1.2 per token; row 1 (A = -2) at ratio 0.5:
    /// clipped low to 0.8, loss -min(-1, -1.6) = 1.6. grpo = mean(-1.2, 1.6) = 0.2. Clipped tokens pass no gradient.
    /// clip_ratio: low 1/4, high 3/4, region 1 (over the 4 valid tokens); low_min 0 (row 0), high_max 1 (row 0).
    /// </summary>
    [Fact]
    public void The_ratio_is_clipped_on_the_side_the_advantage_pushes_and_counted_as_trl_does()
    {
        using var old = tensor(new float[] { -1, -1, -1, -2, 5, 5 }, [2, 3]);
        using var shift = tensor(new float[] { (float)Math.Log(1.5), (float)Math.Log(1.5), (float)Math.Log(1.5), (float)Math.Log(0.5), 0, 0 }, [2, 3]);
        using var logp = (old + shift).detach().requires_grad_();
        using var advantages = tensor(new float[] { 1, -2 });
        using var mask = tensor(new float[] { 1, 1, 1, 1, 0, 0 }, [2, 3]);
        using var terms = GrpoLoss.Compute(logp, old, null, advantages, mask, beta: 0, epsilon: 0.2, epsilonHigh: 0.2, GrpoConfig.LossGrpo, 3);
        Assert.Equal(0.2, terms.Loss.item<float>(), 5);
        Assert.Equal(0.25, terms.LowClipped.item<float>(), 6);
        Assert.Equal(0.75, terms.HighClipped.item<float>(), 6);
        Assert.Equal(1.0, terms.RegionClipped.item<float>(), 6);
        Assert.Equal(0.0, terms.LowClippedMin.item<float>(), 6);
        Assert.Equal(1.0, terms.HighClippedMax.item<float>(), 6);
        terms.Loss.backward();
        Near([0, 0, 0, 0, 0, 0], F(logp.grad!));

        // epsilon_high 0.6 (clip-higher): row 0's ratio 1.5 is inside, so it is not clipped and carries gradient -A x ratio / 3 / 2.
        using var logp2 = (old + shift).detach().requires_grad_();
        using var higher = GrpoLoss.Compute(logp2, old, null, advantages, mask, beta: 0, epsilon: 0.2, epsilonHigh: 0.6, GrpoConfig.LossGrpo, 3);
        Assert.Equal((-1.5 + 1.6) / 2, higher.Loss.item<float>(), 5);
        higher.Loss.backward();
        Near([-0.25, -0.25, -0.25, 0, 0, 0], F(logp2.grad!));
    }
}
