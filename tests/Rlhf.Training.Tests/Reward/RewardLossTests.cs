using Rlhf.Training.Reward;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Reward;

public class RewardLossTests
{
    public RewardLossTests() => TorchThreads.EnsureConfigured();

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));   // -log sigmoid(z) = softplus(-z)

    [Fact]
    public void Equal_rewards_give_ln_2()
    {
        var values = RewardLoss.Compute(new[] { 0.3, -1.2, 4.0 }, new[] { 0.3, -1.2, 4.0 });
        Assert.Equal(Math.Log(2), values.Loss, 12);
        Assert.Equal(0.0, values.Accuracy);            // ties are not correct
        Assert.Equal(0.0, values.Margin, 12);
        Assert.Equal((0.3 - 1.2 + 4.0) / 3, values.MeanReward, 12);
    }

    [Fact]
    public void Gradient_at_equal_rewards_is_minus_half_over_b()
    {
        using var scope = NewDisposeScope();
        var chosen = zeros(4, requires_grad: true);
        var rejected = zeros(4, requires_grad: true);
        var terms = RewardLoss.Compute(chosen, rejected);
        Assert.Equal(Math.Log(2), terms.Loss.item<float>(), 6);
        terms.Loss.backward();
        Assert.All(chosen.grad!.data<float>().ToArray(), g => Assert.Equal(-0.125, g, 6));
        Assert.All(rejected.grad!.data<float>().ToArray(), g => Assert.Equal(0.125, g, 6));
    }

    [Fact]
    public void Margin_and_centering_terms_match_hand_computed_values()
    {
        double[] chosen = [1.0, 0.0, 2.0];
        double[] rejected = [0.0, 0.0, 3.0];
        double[] margins = [0.5, 0.0, 1.0];

        // -log sigmoid(d - m) for d = (1, 0, -1) and m = (0.5, 0, 1): softplus(-(0.5)), softplus(0), softplus(2)
        var plain = (Softplus(-1) + Softplus(0) + Softplus(1)) / 3;
        var withMargin = (Softplus(-0.5) + Softplus(0) + Softplus(2)) / 3;
        var center = (1.0 + 0.0 + 25.0) / 3;   // mean((r_c + r_r)^2)

        Assert.Equal(plain, RewardLoss.Compute(chosen, rejected).Loss, 12);
        Assert.Equal(withMargin, RewardLoss.Compute(chosen, rejected, margins).Loss, 12);
        Assert.Equal(plain + 0.1 * center, RewardLoss.Compute(chosen, rejected, null, 0.1).Loss, 12);
        var both = RewardLoss.Compute(chosen, rejected, margins, 0.01);
        Assert.Equal(withMargin + 0.01 * center, both.Loss, 12);
        Assert.Equal(1.0 / 3, both.Accuracy, 12);   // only pair 0 has r_c > r_r
        Assert.Equal(0.0, both.Margin, 12);         // mean(1, 0, -1), margins not subtracted
        Assert.Equal(1.0, both.MeanReward, 12);     // mean(1, 0, 2, 0, 0, 3)
    }

    [Fact]
    public void Tensor_and_number_versions_agree_in_float32()
    {
        using var scope = NewDisposeScope();
        var terms = RewardLoss.Compute(tensor(new[] { 1f, 0f, 2f }), tensor(new[] { 0f, 0f, 3f }), tensor(new[] { 0.5f, 0f, 1f }), 0.01);
        var values = RewardLoss.Compute(new[] { 1.0, 0, 2 }, new[] { 0.0, 0, 3 }, new[] { 0.5, 0, 1 }, 0.01);
        Assert.Equal(values.Loss, terms.Loss.item<float>(), 5);
        Assert.Equal(values.Accuracy, terms.Accuracy.item<float>(), 6);
        Assert.Throws<ArgumentException>(() => RewardLoss.Compute(new[] { 1.0 }, new[] { 1.0, 2.0 }));
    }
}
