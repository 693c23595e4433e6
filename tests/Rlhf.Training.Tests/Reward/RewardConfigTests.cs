using Rlhf.Training.Reward;

namespace Rlhf.Training.Tests.Reward;

public class RewardConfigTests
{
    [Fact]
    public void Defaults_are_the_design_defaults_and_valid()
    {
        var c = new RewardTrainingConfig();
        Assert.Empty(c.Validate());
        Assert.Equal(1, c.Epochs);
        Assert.Equal(5e-5, c.LearningRate);
        Assert.Equal(1e-5, c.AdamEpsilon);
        Assert.Equal(8, c.BatchPairs);
        Assert.False(c.UseMargin);
        Assert.Null(c.CenterRewardsCoefficient);
    }

    [Fact]
    public void Every_problem_is_one_sentence_naming_the_option()
    {
        var bad = new RewardTrainingConfig
        {
            Epochs = 0, LearningRate = -1, BatchPairs = 0, MaxLength = 2, WeightDecay = -0.1, AdamEpsilon = 0, WarmupRatio = 1,
            MaxGradNorm = double.NaN, CenterRewardsCoefficient = -1, ValidationFraction = 1, EvalEvery = 0, CheckpointEvery = 0,
            ComputeDtype = "fp16",
        };
        var problems = bad.Validate();
        Assert.Equal(
        [
            "--epochs must be >= 1 (got 0)",
            "--lr must be > 0 (got -1)",
            "--batch-pairs must be >= 1 (got 0)",
            "--max-length must be >= 4 (got 2)",
            "--weight-decay must be >= 0 (got -0.1)",
            "--adam-eps must be > 0 (got 0)",
            "--warmup-ratio must be >= 0 and < 1 (got 1)",
            "--max-grad-norm must be >= 0, 0 turns clipping off (got NaN)",
            "--center-rewards-coefficient must be >= 0 (got -1)",
            "--validation-fraction must be >= 0 and < 1 (got 1)",
            "--eval-every must be >= 1 (got 0)",
            "--checkpoint-every must be >= 1 (got 0)",
            "--compute-dtype must be float32 or bf16 (got \"fp16\")",
        ], problems);
        Assert.All(problems, p => Assert.DoesNotContain('\n', p));

        var e = Assert.Throws<ArgumentException>(() => new RewardTrainer(new RewardTrainingConfig { LearningRate = 0 }));
        Assert.StartsWith("--lr must be > 0 (got 0)", e.Message);
    }

    [Fact]
    public void Edge_values_are_accepted()
    {
        Assert.Empty(new RewardTrainingConfig { ValidationFraction = 0, MaxGradNorm = 0, WarmupRatio = 0.5, CenterRewardsCoefficient = 0 }.Validate());
    }
}
