using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Dpo;
using Rlhf.Training.Reward;
using Rlhf.Training.Tests.Reward;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Dpo;

/// <summary>
/// DPO on the tiny GPT-2 fixture and the polite/rude preference set of the reward tests (<see cref="RewardTestData"/>):
/// it learns the rule on held-out prompts, resumes to the uninterrupted result, needs the reference only at the start,
/// and refuses a reference that reads text differently.
/// </summary>
public class DpoTrainerTests
{
    public DpoTrainerTests() => TorchThreads.EnsureConfigured();

    private static readonly DpoConfig Config = new()
    {
        Epochs = 2, LearningRate = 3e-3, BatchPairs = 8, MaxLength = 64, ValidationFraction = 0.2, EvalEvery = 1000, CheckpointEvery = 3, Seed = 5,
    };

    [Fact]
    public void Learns_the_preference_on_held_out_prompts()
    {
        using var folder = new TempFolder();
        var policy = folder.CopyOf(FixturePaths.Lm, "policy");
        var reference = folder.CopyOf(FixturePaths.Lm, "reference");
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 2, seed: 3);
        var metrics = new List<DpoMetrics>();
        // The reference is read once, before the first step: deleting it afterwards changes nothing.
        var result = new DpoTrainer(Config).Train(policy, reference, pairs, folder.Sub("out"), null,
            m => { metrics.Add(m); if (m.Step == 1) Directory.Delete(reference, recursive: true); }, CancellationToken.None);

        // Before the first update the policy is the reference: every log-ratio is 0, the loss ln 2.
        Assert.Equal(Math.Log(2), metrics[0].Values["train/loss"], 4);
        Assert.Equal(0, metrics[0].Values["train/rewards/margins"], 4);
        Assert.True(result.ValidationPairs >= 10, $"{result.ValidationPairs} validation pairs");
        Assert.True(result.ValidationAccuracy >= 0.9, $"held-out implicit-reward accuracy {result.ValidationAccuracy:F3}");
        Assert.True(result.FinalValidation["eval/rewards/margins"] > 0);
        Assert.True(result.FinalValidation["eval/loss"] < Math.Log(2));
        Assert.Equal(result.Validation.Count(v => v.Correct) / (double)result.Validation.Count, result.ValidationAccuracy, 12);
        Assert.True(File.Exists(Path.Combine(folder.Sub("out"), "model.safetensors")));
        Assert.Equal(Gpt2Tokenizer.EndOfTextTokenId, ModelTokenizer.Load(folder.Sub("out")).Tokenizer.EosTokenId);
    }

    [Fact]
    public void Cancelled_run_resumes_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        var policy = folder.CopyOf(FixturePaths.Lm, "policy");
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 1, seed: 7);
        var config = Config with { Epochs = 1, EvalEvery = 2 };
        var trainer = new DpoTrainer(config);
        var straight = new List<DpoMetrics>();
        var expected = trainer.Train(policy, null, pairs, folder.Sub("straight"), null, straight.Add, CancellationToken.None);
        Assert.True(expected.Steps >= 4, $"{expected.Steps} steps");

        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(policy, null, pairs, folder.Sub("out"), checkpoints,
            m => { if (m.Step == 2) cts.Cancel(); }, cts.Token));
        Assert.Equal(2, JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoints, "trainer_state.json")))!["step"]!.GetValue<long>());

        var after = new List<DpoMetrics>();
        var resumed = trainer.Train(policy, null, pairs, folder.Sub("out"), checkpoints, after.Add, CancellationToken.None);
        Assert.Equal(Enumerable.Range(3, (int)expected.Steps - 2).Select(i => (long)i), after.Select(m => m.Step));
        foreach (var m in after)
        {
            var s = straight.Single(x => x.Step == m.Step);
            Assert.Equal(s.Values["lr"], m.Values["lr"], 12);
            Assert.Equal(s.Values["train/loss"], m.Values["train/loss"], 1e-5);
            Assert.Equal(s.Values["train/rewards/margins"], m.Values["train/rewards/margins"], 1e-5);
        }
        Assert.Equal(expected.Validation.Select(v => v.PairIndex), resumed.Validation.Select(v => v.PairIndex));
        for (var i = 0; i < expected.Validation.Count; i++)
            Assert.Equal(expected.Validation[i].ChosenReward, resumed.Validation[i].ChosenReward, 1e-4);

        // Other settings: refused, naming the setting.
        var e = Assert.Throws<CheckpointMismatchException>(() => new DpoTrainer(config with { Beta = 0.2 }).Train(policy, null, pairs,
            folder.Sub("other"), checkpoints, null, CancellationToken.None));
        Assert.Contains("beta 0.1 in the checkpoint, 0.2 now", e.Message);
    }

    [Fact]
    public void A_reference_with_another_tokenizer_is_refused_in_one_line()
    {
        using var folder = new TempFolder();
        var reference = folder.CopyOf(FixturePaths.Of("qwen3-tiny"), "reference");
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Text", "References", "qwen3")))
            File.Copy(file, Path.Combine(reference, Path.GetFileName(file)));
        var e = Assert.Throws<ArgumentException>(() => new DpoTrainer(Config).Train(FixturePaths.Lm, reference, RewardTestData.Pairs(1, 1),
            folder.Sub("out"), null, null, CancellationToken.None));
        Assert.Equal("The reference model's tokenizer differs from the policy's (vocabulary of 151669 tokens, the policy's has 50257); " +
            "DPO needs both to read the same token ids.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(folder.Sub("out")));
    }

    [Fact]
    public void No_usable_pair_is_refused_naming_the_pairs()
    {
        using var folder = new TempFolder();
        List<PreferencePair> pairs = [new("Hi", "Same", "Same"), new("Hi", "", "No")];
        var e = Assert.Throws<ArgumentException>(() => new DpoTrainer(Config).Train(FixturePaths.Lm, null, pairs, folder.Sub("out"), null, null,
            CancellationToken.None));
        Assert.Equal("None of the 2 preference pairs can be trained on: pair 1: chosen and rejected are identical; pair 2: the chosen response is empty.", e.Message);
    }
}
