using Rlhf.Training;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Pretraining;

namespace Rlhf.Demo.Tests;

/// <summary><see cref="DemoPolicy"/>: the pretrainer on the demo corpus, as `rlhf pretrain` runs it, on a tiny model.</summary>
public class DemoPolicyTests
{
    public DemoPolicyTests() => TorchThreads.EnsureConfigured();

    private static readonly PretrainConfig Tiny = new()
    {
        Seed = 11, Steps = 30, NLayer = 2, NHead = 2, NEmbd = 32, BlockSize = 256, BatchSize = 4,
        LearningRate = 1e-2, WarmupSteps = 3, Examples = 64, ValidationExamples = 16, LogInterval = 5,
    };

    [Fact]
    public void Loss_drops_substantially_in_30_steps_on_a_tiny_model()
    {
        var reports = new List<PretrainProgress>();
        var result = DemoPolicy.Train(Tiny, reports.Add);
        using var model = result.Model;

        Assert.InRange(result.FirstLoss, 10.0, 11.5);                     // ~ ln(50257) = 10.8 at init
        Assert.True(result.FinalLossAverage < result.FirstLoss - 4.0,
            $"loss went from {result.FirstLoss} to {result.FinalLossAverage} (mean of the last steps)");
        Assert.NotNull(result.ValidationLoss);
        Assert.True(result.ValidationLoss < result.FirstLoss - 3.0, $"validation loss {result.ValidationLoss}");
        Assert.Equal([5, 10, 15, 20, 25, 30], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.TokensPerSecond > 0 && r.LearningRate > 0 && double.IsFinite(r.Loss)));
        Assert.Equal(Tiny.EffectiveMinLearningRate, reports[^1].LearningRate, 12);
        Assert.True(result.Tokens > 30 * 4 * 10);
        Assert.Equal(model.parameters().Sum(p => p.numel()), result.Parameters);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_differs_across_seeds()
    {
        var config = Tiny with { Steps = 4, ValidationExamples = 0, LogInterval = 1 };
        var lossesA = new List<double>();
        var lossesB = new List<double>();
        var lossesC = new List<double>();
        var a = DemoPolicy.Train(config, p => lossesA.Add(p.Loss));
        var b = DemoPolicy.Train(config, p => lossesB.Add(p.Loss));
        var c = DemoPolicy.Train(config with { Seed = 12 }, p => lossesC.Add(p.Loss));
        using (a.Model)
        using (b.Model)
        using (c.Model)
        {
            Assert.Equal(lossesA, lossesB);
            Assert.NotEqual(lossesA, lossesC);
            var wa = Gpt2Checkpoint.ToHuggingFaceTensors(a.Model);
            var wb = Gpt2Checkpoint.ToHuggingFaceTensors(b.Model);
            Assert.Equal(wa.Select(t => t.Name), wb.Select(t => t.Name));
            for (var i = 0; i < wa.Count; i++) Assert.Equal(wa[i].Data, wb[i].Data);
        }
    }
}
