using Rlhf.Training.Ppo;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>What the first update must show when its only minibatch runs on the weights that sampled.</summary>
public class PpoFirstUpdateTests(ITestOutputHelper output)
{
    /// <summary>
    /// One epoch, one minibatch: ratio = 1 at every position, so pg_loss = -masked_mean(A) over the valid positions,
    /// which is 0 for advantages whitened over exactly those positions (and far from 0 unwhitened: the scores vary from
    /// response to response and the values start wherever the reward fixture puts them). Stop = pad = EOS = 50256.
    /// </summary>
    [Fact]
    public void With_one_minibatch_the_policy_loss_is_minus_the_mean_whitened_advantage_which_is_zero()
    {
        TorchThreads.EnsureConfigured();
        var (set, _) = PpoTestScorers.FrequentTokens(16, 12);
        var config = new PpoConfig
        {
            Steps = 2, BatchSize = 8, MiniBatches = 1, PpoEpochs = 1, LearningRate = 1e-3, ResponseLength = 12,
            MaxPromptLength = 24, Seed = 13, SampleEvery = 1000,
        };
        using var folder = new TempFolder();
        var metrics = new List<PpoMetrics>();
        new PpoTrainer(config).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("out"), null,
            metrics.Add, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0));
        foreach (var m in metrics)
        {
            output.WriteLine($"{m.Step}: loss/policy_avg {m.Values["loss/policy_avg"]:E3} val/ratio {m.Values["val/ratio"]:F6} " +
                             $"scores {m.Values["objective/scores"]:F4} loss/value_avg {m.Values["loss/value_avg"]:F4}");
            Assert.True(Math.Abs(m.Values["loss/policy_avg"]) < 1e-4, $"update {m.Step}: loss/policy_avg {m.Values["loss/policy_avg"]:E3}, not 0");
            Assert.Equal(1.0, m.Values["val/ratio"], 4);
            Assert.True(m.Values["policy/approxkl_avg"] < 1e-9);
            Assert.Equal(0.0, m.Values["policy/clipfrac_avg"]);
            Assert.True(m.Values["loss/value_avg"] > 0, "the value loss of untrained values is not 0");
        }
    }
}
