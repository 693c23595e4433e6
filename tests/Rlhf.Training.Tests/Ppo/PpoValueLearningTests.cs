using Rlhf.Training.Ppo;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>The value model learns the returns when they are learnable exactly.</summary>
public class PpoValueLearningTests(ITestOutputHelper output)
{
    /// <summary>A score that depends only on the prompt: (sum of its token ids mod 5) / 2 - 1, one of -1, -0.5, 0, 0.5, 1.</summary>
    private sealed class PromptOnlyScorer : IScorer
    {
        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
        {
            using var scope = NewDisposeScope();
            var query = queryResponseIds.narrow(1, 0, contextLength) * mask.narrow(1, 0, contextLength);   // [B, P], pad -> 0
            return scope.MoveToOuter((query.sum(1).remainder(5).to_type(ScalarType.Float32) / 2) - 1);     // [B]
        }
    }

    /// <summary>
    /// beta = 0, gamma = lambda = 1, no stop token: every response position's return is the score of its prompt
    /// exactly, whatever the policy samples, and the value model sees the prompt, so a perfect value function exists and
    /// the irreducible error is 0. Asserted: loss/value_avg falls at least 10x from the first update to the mean of the
    /// last 5, and the explained variance of the rollout values against the returns (val/explained_variance, before each
    /// update's training) exceeds 0.9 on average over the last 5 updates.
    /// </summary>
    [Fact]
    public void With_a_prompt_only_score_the_value_loss_falls_tenfold_and_the_values_explain_the_returns()
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var config = new PpoConfig
        {
            Steps = 30, BatchSize = 16, MiniBatches = 2, PpoEpochs = 4, LearningRate = 3e-3, ResponseLength = 4, StopTokenId = null,
            KlCoef = 0, Gamma = 1, Lam = 1, Temperature = 0.7, MaxPromptLength = 24, Seed = 9, SampleEvery = 1000,
            RewardNormalization = PpoConfig.NoNormalization,
        };
        var metrics = new List<PpoMetrics>();
        new PpoTrainer(config).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("out"), null,
            metrics.Add, null, CancellationToken.None, new PromptOnlyScorer());
        foreach (var m in metrics)
            output.WriteLine($"{m.Step,3} loss/value_avg {m.Values["loss/value_avg"]:F5} explained variance {m.Values["val/explained_variance"]:F3} " +
                             $"val/clipfrac {m.Values["val/clipfrac_avg"]:F3}");
        var firstLoss = metrics[0].Values["loss/value_avg"];
        var lastLoss = metrics.TakeLast(5).Average(m => m.Values["loss/value_avg"]);
        var lastExplained = metrics.TakeLast(5).Average(m => m.Values["val/explained_variance"]);
        Assert.True(lastLoss * 10 <= firstLoss, $"loss/value_avg fell from {firstLoss:F5} only to {lastLoss:F5}");
        Assert.True(lastExplained > 0.9, $"explained variance {lastExplained:F3}");
    }
}
