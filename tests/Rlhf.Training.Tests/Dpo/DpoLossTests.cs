using Rlhf.Training.Dpo;

namespace Rlhf.Training.Tests.Dpo;

/// <summary>The DPO losses and TRL's metrics on hand-computed numbers.</summary>
public class DpoLossTests
{
    // Pair 0: log-ratios h_c = -1 - (-2) = 1, h_r = -3 - (-2) = -1, so beta (h_c - h_r) = 0.2 with beta 0.1.
    // Pair 1: the policy equals the reference, h_c = h_r = 0.
    private static readonly double[] PolicyChosen = [-1, -5], PolicyRejected = [-3, -7], RefChosen = [-2, -5], RefRejected = [-2, -7];
    private static readonly double[] ChosenTokens = [2, 3], RejectedTokens = [4, 5];

    [Fact]
    public void Sigmoid_loss_is_minus_log_sigmoid_of_beta_times_the_margin_of_log_ratios()
    {
        var (loss, chosen, rejected) = DpoLoss.Compute(PolicyChosen, PolicyRejected, RefChosen, RefRejected, ChosenTokens, RejectedTokens, 0.1, DpoLoss.Sigmoid, 0);
        // -log sigmoid(0.2) = ln(1 + e^-0.2) = 0.598138869; -log sigmoid(0) = ln 2 = 0.693147181
        Assert.Equal((0.598138869 + 0.693147181) / 2, loss, 8);
        Assert.Equal([0.1, 0.0], chosen.Select(x => Math.Round(x, 12)));
        Assert.Equal([-0.1, 0.0], rejected.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Label_smoothing_mixes_in_the_loss_of_the_flipped_label()
    {
        var (loss, _, _) = DpoLoss.Compute([PolicyChosen[0]], [PolicyRejected[0]], [RefChosen[0]], [RefRejected[0]], [2], [4], 0.1, DpoLoss.Sigmoid, 0.1);
        // 0.9 x ln(1 + e^-0.2) + 0.1 x ln(1 + e^0.2) = 0.9 x 0.598138869 + 0.1 x 0.798138869
        Assert.Equal(0.618138869, loss, 8);
    }

    [Fact]
    public void Ipo_loss_uses_length_normalised_log_ratios_and_the_target_one_over_two_beta()
    {
        var (loss, chosen, rejected) = DpoLoss.Compute(PolicyChosen, PolicyRejected, RefChosen, RefRejected, ChosenTokens, RejectedTokens, 0.1, DpoLoss.Ipo, 0);
        // pair 0: (1/2 - (-1)/4 - 5)^2 = (-4.25)^2 = 18.0625; pair 1: (0 - 0 - 5)^2 = 25
        Assert.Equal((18.0625 + 25) / 2, loss, 8);
        Assert.Equal(0.1, chosen[0], 12);   // the implicit rewards are not length-normalised
        Assert.Equal(-0.1, rejected[0], 12);
    }

    [Fact]
    public void Metrics_have_trl_names_and_values()
    {
        var values = DpoTrainer.Summary("train/", 0.5, chosenRewards: [0.3, -0.1], rejectedRewards: [0.1, 0.2],
            logps: [-4, -6, -8, -10], logitSums: [2, 4, 9, 3], tokens: [2, 4, 3, 3]);
        Assert.Equal(0.5, values["train/loss"]);
        Assert.Equal(0.1, values["train/rewards/chosen"], 12);
        Assert.Equal(0.15, values["train/rewards/rejected"], 12);
        Assert.Equal(0.5, values["train/rewards/accuracies"]);           // 0.3 > 0.1, -0.1 < 0.2
        Assert.Equal(-0.05, values["train/rewards/margins"], 12);        // (0.2 - 0.3) / 2
        Assert.Equal(-5, values["train/logps/chosen"]);
        Assert.Equal(-9, values["train/logps/rejected"]);
        Assert.Equal(1.0, values["train/logits/chosen"], 12);             // (2 + 4) / (2 + 4) tokens
        Assert.Equal(2.0, values["train/logits/rejected"], 12);           // (9 + 3) / (3 + 3)
        Assert.Equal(9, values.Count);
    }

    [Theory]
    [InlineData(0.0, "sigmoid", 0.0, "--beta must be > 0 (got 0)")]
    [InlineData(0.1, "hinge", 0.0, "--loss must be sigmoid or ipo (got hinge)")]
    [InlineData(0.1, "sigmoid", 0.5, "--label-smoothing must be >= 0 and < 0.5 (got 0.5)")]
    [InlineData(0.1, "ipo", 0.1, "--label-smoothing applies to the sigmoid loss only; set it to 0 for ipo")]
    public void Bad_settings_are_named_by_their_option(double beta, string loss, double smoothing, string expected)
    {
        var problems = new DpoConfig { Beta = beta, LossType = loss, LabelSmoothing = smoothing }.Validate();
        Assert.Equal([expected], problems);
        Assert.Throws<ArgumentException>(() => new DpoTrainer(new DpoConfig { Beta = beta, LossType = loss, LabelSmoothing = smoothing }));
    }
}
