using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Optim;

/// <summary>
/// Clip groups (PPO clips the policy's and the value model's gradients separately): the fused AdamW over two models in
/// two groups equals clip_grad_norm_ on each model and then one TorchSharp AdamW over both.
/// </summary>
public class FusedAdamWClipGroupTests
{
    public FusedAdamWClipGroupTests() => TorchThreads.EnsureConfigured();

    private static readonly int[][] Rows = [[15496, 995, 11, 428, 318, 257, 1332, 13], [40, 588, 340, 845, 881]];

    // Loss of model b is scaled by 100, so its gradient norm is far larger than a's: clipped together, a's step would shrink.
    private static void Backward(Gpt2ForSequenceClassification a, Gpt2ForSequenceClassification b)
    {
        using var scope = NewDisposeScope();
        using var batch = RewardBatch.Create(Rows, a.PadTokenId);
        var ra = batch.Rewards(a);
        var rb = batch.Rewards(b);
        var loss = RewardLoss.Compute(ra.narrow(0, 0, 1), ra.narrow(0, 1, 1)).Loss + 100 * (rb * rb).mean();
        loss.backward();
    }

    [Fact]
    public void Each_group_is_clipped_by_its_own_norm()
    {
        const double lr = 1e-2, eps = 1e-5, wd = 0.1, maxNorm = 2e-4;
        using var refA = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var refB = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var a = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var b = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var pa = refA.parameters().ToArray();
        var pb = refB.parameters().ToArray();
        Parameter[] all = [.. pa, .. pb];
        using var adamw = optim.AdamW(
            [
                new AdamW.ParamGroup(all.Where(p => p.dim() >= 2), lr, 0.9, 0.999, eps, wd, false, false),
                new AdamW.ParamGroup(all.Where(p => p.dim() < 2), lr, 0.9, 0.999, eps, 0.0, false, false),
            ], lr, 0.9, 0.999, eps, wd);
        using var fused = new FusedAdamW(
            [
                a.named_parameters().Select(p => ("a/" + p.name, p.parameter)),
                b.named_parameters().Select(p => ("b/" + p.name, p.parameter)),
            ], eps, wd);

        for (var step = 0; step < 3; step++)
        {
            adamw.zero_grad();
            Backward(refA, refB);
            var normA = nn.utils.clip_grad_norm_(pa, maxNorm);
            var normB = nn.utils.clip_grad_norm_(pb, maxNorm);
            adamw.step();

            fused.ZeroGrad();
            Backward(a, b);
            var norms = fused.StepEachGroup(lr, maxNorm);
            Assert.Equal(normA, norms[0], 1e-4 * normA);
            Assert.Equal(normB, norms[1], 1e-4 * normB);
            Assert.True(normB > 10 * normA, $"the groups' norms should differ widely ({normA}, {normB})");
            Assert.True(normA > maxNorm, $"clipping should be active (norm {normA})");
        }
        foreach (var (x, y) in new[] { (refA, a), (refB, b) })
        {
            var wx = Gpt2Checkpoint.ToHuggingFaceTensors(x);
            var wy = Gpt2Checkpoint.ToHuggingFaceTensors(y);
            for (var i = 0; i < wx.Count; i++)
            {
                var max = wx[i].Data.Zip(wy[i].Data).Max(p => Math.Abs(p.First - p.Second));
                Assert.True(max <= 2e-6, $"{wx[i].Name} differs by {max}");
            }
        }
    }

    [Fact]
    public void A_single_step_on_an_optimizer_of_several_groups_is_refused()
    {
        using var a = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var fused = new FusedAdamW([a.named_parameters().Take(2), a.named_parameters().Skip(2)], 1e-5, 0.0);
        Assert.Throws<InvalidOperationException>(() => fused.Step(1e-3, 1.0));
    }
}
