using Rlhf.Training.Checkpoints;
using Rlhf.Training.Reward;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Reward;

public class RewardCenteringTests
{
    public RewardCenteringTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Shift_moves_every_reward_by_the_same_amount_through_ln_f_bias()
    {
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        (string, string)[] items =
        [
            ("How do I bake bread?", "Mix the flour please."), ("How do I bake bread?", "Mix the flour, idiot."),
            ("Hi", "Hello there."), ("Hi", "Go away."), ("What is 2+2?", "4"), ("What is 2+2?", "Five, I think <|endoftext|>"),
        ];
        var before = RewardTrainer.Score(model, items, 64);
        var mean = before.Average();
        var weightsBefore = Gpt2Checkpoint.ToHuggingFaceTensors(model);

        RewardCentering.Apply(model, -mean);

        var after = RewardTrainer.Score(model, items, 64);
        Assert.True(Math.Abs(after.Average()) < 1e-5, $"mean after the shift {after.Average()}");
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(before[i] - mean, after[i], 1e-4);
            for (var j = 0; j < items.Length; j++) Assert.Equal(before[i] - before[j], after[i] - after[j], 1e-4);
        }
        var weightsAfter = Gpt2Checkpoint.ToHuggingFaceTensors(model);
        var changed = weightsBefore.Zip(weightsAfter).Where(p => !p.First.Data.SequenceEqual(p.Second.Data)).Select(p => p.First.Name).ToArray();
        Assert.Equal([RewardCentering.LnFBiasName], changed);
    }
}
