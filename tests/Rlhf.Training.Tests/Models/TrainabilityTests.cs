using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Models;

/// <summary>Gradients flow through the models (the dispose scopes inside forward do not cut the graph).</summary>
public class TrainabilityTests
{
    public TrainabilityTests() => TorchThreads.EnsureConfigured();

    [Fact]
    public void Lm_loss_backward_reaches_every_parameter()
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        model.train();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 15496, 995, 11, 428, 318, 257, 1332, 13 }, [1, 8]);
        var logits = model.forward(ids);
        var loss = -TokenLogProbs.NextTokenLogProbs(logits, ids).mean();
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void Reward_pairwise_loss_backward_reaches_the_score_head_and_backbone()
    {
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        model.train();
        using var scope = NewDisposeScope();
        var chosen = tensor(new long[] { 15496, 995, 11, 428, 318 }, [1, 5]);
        var rejected = tensor(new long[] { 40, 588, 340, 845, 881 }, [1, 5]);
        var loss = -nn.functional.logsigmoid(model.Rewards(chosen) - model.Rewards(rejected)).mean();
        loss.backward();
        Assert.True(model.ScoreWeight.grad!.abs().sum().item<float>() > 0);
        Assert.True(model.Transformer.TokenEmbeddingWeight.grad!.abs().sum().item<float>() > 0);
    }
}
