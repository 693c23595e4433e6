using System.Diagnostics;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Models;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Reward;

/// <summary>The reward model really learns a hidden rule, and its saved form reproduces what training reported.</summary>
public class RewardLearningTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("float32")]
    [InlineData("bf16")]   // bf16 matmuls with float32 master weights learn the rule as well
    public void Tiny_model_learns_the_politeness_rule_and_the_saved_model_reproduces_it(string computeDtype)
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var basePath = RewardTestData.SaveTinyBase(folder.Sub("base"));          // random init, 2 layers, 64 wide
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 6, seed: 3);            // 216 pairs, 36 prompts
        foreach (var p in pairs)
            Assert.Equal(Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderWithResponse(p.Prompt, p.Chosen)).Length,
                Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderWithResponse(p.Prompt, p.Rejected)).Length);

        var config = new RewardTrainingConfig
        {
            Epochs = 2, LearningRate = 2e-3, BatchPairs = 8, MaxLength = 64, ValidationFraction = 0.2, EvalEvery = 10,
            WarmupRatio = 0.1, Seed = 5, ComputeDtype = computeDtype,
        };
        var metrics = new List<RewardMetrics>();
        var clock = Stopwatch.StartNew();
        var result = new RewardTrainer(config).Train(basePath, pairs, folder.Sub("out"), null, metrics.Add, CancellationToken.None);
        output.WriteLine($"{computeDtype}: {clock.Elapsed.TotalSeconds:F1} s, {result.Steps} steps, {result.TrainPairs}/{result.ValidationPairs} pairs, " +
                         $"validation accuracy {result.FinalValidationAccuracy}, loss {result.FinalValidationLoss}, shift {result.RewardShift}");
        foreach (var m in metrics.Where(m => m.Step % 10 == 0 || m.Step <= 3))
            output.WriteLine($"{m.Step} {string.Join(" ", m.Values.Select(kv => $"{kv.Key}={kv.Value:F4}"))}");

        // Learning: the first loss is ln 2 (untrained head on near-identical rows), the rule is learned.
        var first = metrics[0];
        Assert.Equal(1, first.Step);
        Assert.InRange(first.Values["train/loss"], Math.Log(2) - 0.05, Math.Log(2) + 0.05);
        Assert.True(result.FinalValidationAccuracy >= 0.90, $"validation accuracy {result.FinalValidationAccuracy}");
        Assert.Equal(pairs.Count, result.TrainPairs + result.ValidationPairs);
        Assert.Equal(result.ValidationPairs, result.Validation.Count);

        // Metrics: one record a step, TRL names, evaluations every EvalEvery steps and at the end.
        Assert.Equal(Enumerable.Range(1, (int)result.Steps).Select(i => (long)i), metrics.Select(m => m.Step));
        foreach (var key in new[] { "train/loss", "train/accuracy", "train/margin", "train/mean_reward", "lr", "epoch" })
            Assert.All(metrics, m => Assert.True(m.Values.ContainsKey(key), $"step {m.Step} lacks {key}"));
        var evalKeys = new[] { "eval/loss", "eval/accuracy", "eval/margin", "eval/mean_reward", "eval/min_reward", "eval/max_reward" };
        var evaluated = metrics.Where(m => m.Values.ContainsKey("eval/loss")).Select(m => m.Step).ToArray();
        Assert.Equal(Enumerable.Range(1, (int)(result.Steps - 1) / 10).Select(i => 10L * i).Append(result.Steps), evaluated);
        Assert.All(metrics.Where(m => evaluated.Contains(m.Step)), m => Assert.All(evalKeys, k => Assert.True(m.Values.ContainsKey(k))));
        var last = metrics[^1];
        Assert.Equal(result.FinalValidationAccuracy, last.Values["eval/accuracy"]);
        Assert.Equal(result.RewardShift, last.Values["reward_shift"]);
        Assert.Equal(2.0, last.Epoch, 9);

        // The saved model (HF layout, reward variant) gives the same validation rewards...
        var config2 = Gpt2Checkpoint.LoadConfig(folder.Sub("out"));
        Assert.Equal([Gpt2Config.RewardArchitecture], config2.Architectures);
        using var saved = Gpt2Checkpoint.LoadRewardModel(folder.Sub("out"));
        saved.ComputeDtype = ComputePrecision.Parse(computeDtype);                // scored as trained
        var validation = result.Validation;
        var rescored = RewardTrainer.Score(saved,
            validation.SelectMany(v => new[] { (pairs[v.PairIndex].Prompt, pairs[v.PairIndex].Chosen), (pairs[v.PairIndex].Prompt, pairs[v.PairIndex].Rejected) }).ToArray(),
            config.MaxLength);
        for (var i = 0; i < validation.Count; i++)
        {
            Assert.Equal(validation[i].ChosenReward, rescored[2 * i], 1e-4);
            Assert.Equal(validation[i].RejectedReward, rescored[2 * i + 1], 1e-4);
        }
        Assert.Equal(result.FinalValidationAccuracy, validation.Count(v => v.Correct) / (double)validation.Count, 12);

        // ...and the reference responses (all chosen and rejected responses of the training split) average 0.
        var validationIndices = validation.Select(v => v.PairIndex).ToHashSet();
        var reference = pairs.Where((_, i) => !validationIndices.Contains(i))
            .SelectMany(p => new[] { (p.Prompt, p.Chosen), (p.Prompt, p.Rejected) }).ToArray();
        var mean = RewardTrainer.Score(saved, reference, config.MaxLength).Average();
        Assert.True(Math.Abs(mean) < 1e-3, $"mean reference reward after the shift is {mean}");
    }
}
