using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Reward;

namespace Rlhf.Training.Tests.Reward;

/// <summary>Cancel mid-run, resume from the checkpoint folder, and end exactly where an uninterrupted run ends.</summary>
public class RewardResumeTests
{
    public RewardResumeTests() => TorchThreads.EnsureConfigured();

    private static readonly RewardTrainingConfig Config = new()
    {
        Epochs = 1, LearningRate = 1e-3, BatchPairs = 4, MaxLength = 64, ValidationFraction = 0.1, EvalEvery = 5,
        CheckpointEvery = 4, WarmupRatio = 0.1, Seed = 11,
    };

    [Fact]
    public void Cancelled_run_saves_a_checkpoint_and_resumes_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        var basePath = folder.CopyOf(FixturePaths.Lm, "base");   // a policy checkpoint: the score head is initialised
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 2, seed: 4);
        var trainer = new RewardTrainer(Config);

        var straight = new List<RewardMetrics>();
        var expected = trainer.Train(basePath, pairs, folder.Sub("straight"), null, straight.Add, CancellationToken.None);
        Assert.True(expected.Steps > 10, $"{expected.Steps} steps");

        // Cancel after step 6: the checkpoint of step 4 is replaced by one of step 6, no model is written.
        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        var before = new List<RewardMetrics>();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(basePath, pairs, folder.Sub("out"), checkpoints,
            m => { before.Add(m); if (m.Step == 6) cts.Cancel(); }, cts.Token));
        Assert.Equal([1L, 2, 3, 4, 5, 6], before.Select(m => m.Step));
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoints, "trainer_state.json")))!;
        Assert.Equal(6, state["step"]!.GetValue<long>());
        Assert.Equal(expected.Steps, state["total_steps"]!.GetValue<long>());
        Assert.Equal(["step-000006"], Directory.GetDirectories(checkpoints).Select(Path.GetFileName));
        Assert.False(Directory.Exists(folder.Sub("out")));

        // Resume: steps continue at 7, the schedule, data order, weights and AdamW moments carry on unchanged.
        var after = new List<RewardMetrics>();
        var resumed = trainer.Train(basePath, pairs, folder.Sub("out"), checkpoints, after.Add, CancellationToken.None);
        Assert.Equal(Enumerable.Range(7, (int)expected.Steps - 6).Select(i => (long)i), after.Select(m => m.Step));
        Assert.Equal(expected.Steps, resumed.Steps);
        foreach (var m in after)
        {
            var reference = straight.Single(s => s.Step == m.Step);
            Assert.Equal(reference.Values["lr"], m.Values["lr"], 12);
            Assert.Equal(reference.Epoch, m.Epoch, 12);
            Assert.Equal(reference.Values["train/loss"], m.Values["train/loss"], 1e-5);
        }
        Assert.Equal(expected.Validation.Select(v => v.PairIndex), resumed.Validation.Select(v => v.PairIndex));
        for (var i = 0; i < expected.Validation.Count; i++)
        {
            Assert.Equal(expected.Validation[i].ChosenReward, resumed.Validation[i].ChosenReward, 1e-4);
            Assert.Equal(expected.Validation[i].RejectedReward, resumed.Validation[i].RejectedReward, 1e-4);
        }
        Assert.Equal(expected.RewardShift, resumed.RewardShift, 1e-4);
        Assert.True(File.Exists(Path.Combine(folder.Sub("out"), "model.safetensors")));
    }

    [Fact]
    public void A_checkpoint_of_other_data_or_settings_is_refused()
    {
        using var folder = new TempFolder();
        var basePath = folder.CopyOf(FixturePaths.Lm, "base");
        var pairs = RewardTestData.Pairs(pairsPerPrompt: 1, seed: 4);
        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new RewardTrainer(Config).Train(basePath, pairs, folder.Sub("out"), checkpoints,
            m => cts.Cancel(), cts.Token));
        Assert.True(File.Exists(Path.Combine(checkpoints, "trainer_state.json")));

        var otherData = pairs.Skip(1).ToList();
        var e1 = Assert.Throws<CheckpointMismatchException>(() => new RewardTrainer(Config).Train(basePath, otherData, folder.Sub("out"),
            checkpoints, _ => { }, CancellationToken.None));
        Assert.Contains("other preference data", e1.Message);
        var e2 = Assert.Throws<CheckpointMismatchException>(() => new RewardTrainer(Config with { LearningRate = 2e-3 }).Train(basePath, pairs,
            folder.Sub("out"), checkpoints, _ => { }, CancellationToken.None));
        Assert.Contains("other settings", e2.Message);

        // A checkpoint written before settings were versioned (a hash of the config's JSON) still resumes with its settings.
        var statePath = Path.Combine(checkpoints, "trainer_state.json");
        var state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        Assert.Contains("learning_rate", state["settings"]!["values"]!.AsObject().Select(p => p.Key));
        state.Remove("settings");
        state["config_sha256"] = "0000";
        File.WriteAllText(statePath, state.ToJsonString());
        Assert.Throws<CheckpointMismatchException>(() => new RewardTrainer(Config).Train(basePath, pairs, folder.Sub("out"),
            checkpoints, _ => { }, CancellationToken.None));
        state["config_sha256"] = RewardCheckpoint.LegacyConfigHash(Config);
        File.WriteAllText(statePath, state.ToJsonString());

        // EvalEvery and CheckpointEvery may change between attempts.
        var done = new RewardTrainer(Config with { EvalEvery = 3, CheckpointEvery = 7 }).Train(basePath, pairs, folder.Sub("out"),
            checkpoints, _ => { }, CancellationToken.None);
        Assert.True(done.Steps > 1);
    }
}
