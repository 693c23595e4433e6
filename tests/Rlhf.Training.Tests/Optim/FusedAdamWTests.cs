using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Optim;
using Rlhf.Training.Reward;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Optim;

/// <summary>The fused AdamW equals TorchSharp's AdamW + clip_grad_norm_, and its state round-trips.</summary>
public class FusedAdamWTests
{
    public FusedAdamWTests() => TorchThreads.EnsureConfigured();

    private static readonly int[][] Rows = [[15496, 995, 11, 428, 318, 257, 1332, 13], [40, 588, 340, 845, 881]];

    private static void Backward(Gpt2ForSequenceClassification model)
    {
        using var scope = NewDisposeScope();
        using var batch = RewardBatch.Create(Rows, model.PadTokenId);
        var rewards = batch.Rewards(model);
        RewardLoss.Compute(rewards.narrow(0, 0, 1), rewards.narrow(0, 1, 1)).Loss.backward();
    }

    private static void AssertSameWeights(nn.Module a, nn.Module b, double tolerance)
    {
        var wa = Gpt2Checkpoint.ToHuggingFaceTensors(a);
        var wb = Gpt2Checkpoint.ToHuggingFaceTensors(b);
        for (var i = 0; i < wa.Count; i++)
        {
            var max = wa[i].Data.Zip(wb[i].Data).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(max <= tolerance, $"{wa[i].Name} differs by {max}");
        }
    }

    [Fact]
    public void Fused_step_matches_torchsharp_adamw_with_clipping_and_weight_decay()
    {
        const double lr = 1e-2, eps = 1e-5, wd = 0.1, maxNorm = 5e-4;   // maxNorm small enough that clipping is active
        using var reference = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var fused = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var parameters = reference.parameters().ToArray();
        using var adamw = optim.AdamW(
            [
                new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), lr, 0.9, 0.999, eps, wd, false, false),
                new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), lr, 0.9, 0.999, eps, 0.0, false, false),
            ], lr, 0.9, 0.999, eps, wd);
        using var mine = new FusedAdamW(fused.named_parameters(), eps, wd);

        for (var step = 0; step < 3; step++)
        {
            adamw.zero_grad();
            Backward(reference);
            var norm = nn.utils.clip_grad_norm_(parameters, maxNorm);
            adamw.step();

            mine.ZeroGrad();
            Backward(fused);
            var fusedNorm = mine.Step(lr, maxNorm);
            Assert.Equal(norm, fusedNorm, 1e-4 * norm);
            Assert.True(norm > maxNorm, $"clipping should be active (norm {norm})");
        }
        AssertSameWeights(reference, fused, 2e-6);
        Assert.Equal(3, mine.StepCount);
    }

    [Fact]
    public void Saved_state_resumes_to_the_same_weights()
    {
        using var folder = new TempFolder();
        using var a = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        using var optA = new FusedAdamW(a.named_parameters(), 1e-5, 0.01);
        for (var i = 0; i < 2; i++) { optA.ZeroGrad(); Backward(a); optA.Step(1e-3, 1.0); }
        Gpt2Checkpoint.Save(a, folder.Sub("model"));
        optA.Save(folder.Sub("optimizer.safetensors"));

        using var b = Gpt2Checkpoint.LoadRewardModel(folder.Sub("model"));
        using var optB = new FusedAdamW(b.named_parameters(), 1e-5, 0.01);
        optB.Load(folder.Sub("optimizer.safetensors"));
        Assert.Equal(2, optB.StepCount);

        optA.ZeroGrad(); Backward(a); optA.Step(1e-3, 1.0);
        optB.ZeroGrad(); Backward(b); optB.Step(1e-3, 1.0);
        AssertSameWeights(a, b, 0);
    }
}
