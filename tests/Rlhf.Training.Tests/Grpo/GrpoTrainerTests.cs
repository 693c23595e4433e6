using Rlhf.Training.Checkpoints;
using Rlhf.Training.Grpo;
using Rlhf.Training.Optim;
using Rlhf.Training.Ppo;
using Rlhf.Training.Tests.Ppo;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Grpo;

/// <summary>The GRPO trainer end to end on the tiny fixtures: TRL's metrics, samples, and a resume equal to an uninterrupted run.</summary>
public class GrpoTrainerTests(ITestOutputHelper output)
{
    private static readonly string[] TrlMetrics =
    [
        "reward", "reward_std", "frac_reward_zero_std", "kl", "entropy", "loss", "grad_norm", "learning_rate",
        "completions/mean_length", "completions/min_length", "completions/max_length", "completions/clipped_ratio",
        "completions/mean_terminated_length", "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean",
        "clip_ratio/low_min", "clip_ratio/high_max",
    ];

    [Fact]
    public void A_cancelled_run_resumes_from_its_checkpoint_and_continues_as_an_uninterrupted_run()
    {
        TorchThreads.EnsureConfigured();
        var (set, _) = PpoTestScorers.FrequentTokens(16, 6);
        var config = new GrpoConfig
        {
            Steps = 4, BatchSize = 2, NumGenerations = 4, NumIterations = 2, MiniBatches = 2, LearningRate = 1e-3, MaxCompletionLength = 6,
            MaxPromptLength = 24, Seed = 3, CheckpointEvery = 2, SampleEvery = 3, Beta = 0.04,
        };
        using var folder = new TempFolder();

        // Uninterrupted reference run.
        var straight = new List<GrpoMetrics>();
        var samples = new List<IReadOnlyList<PpoSample>>();
        new GrpoTrainer(config).Train(FixturePaths.Lm, null, PpoTestScorers.Prompts, folder.Sub("straight"), null,
            straight.Add, samples.Add, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0));
        foreach (var m in straight)
            output.WriteLine($"{m.Step} {string.Join(" ", m.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:G4}"))}");
        foreach (var name in TrlMetrics) Assert.True(straight[0].Values.ContainsKey(name), $"missing metric {name}");
        Assert.True(straight[^1].Values["kl"] > straight[0].Values["kl"], "the policy moves away from the reference");
        Assert.Equal([1L, 4L], samples.Select(s => s[0].Step));                  // updates 1, 1 + 3 and the last
        Assert.Equal(8, samples[0].Count);                                        // every completion: 2 prompts x 4
        Assert.Single(samples[0].Take(4).Select(s => s.Prompt).Distinct());      // a group is one prompt's 4 completions

        // Cancelled after update 3: the checkpoint of update 2 is replaced by one of update 3.
        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        var first = new List<GrpoMetrics>();
        Assert.ThrowsAny<OperationCanceledException>(() => new GrpoTrainer(config).Train(FixturePaths.Lm, null, PpoTestScorers.Prompts,
            folder.Sub("resumed"), checkpoints, m => { first.Add(m); if (m.Step == 3) cts.Cancel(); }, null, cts.Token,
            new PpoTestScorers.TokenShareScorer(set, 1.0)));
        Assert.Equal([1L, 2L, 3L], first.Select(m => m.Step));
        Assert.Equal(3, GrpoTrainer.CheckpointedStep(checkpoints));
        Assert.False(Directory.Exists(Path.Combine(checkpoints, "step-000002")));
        var optimizerState = SafeTensorsFile.Read(Path.Combine(checkpoints, "step-000003", "optimizer.safetensors"));
        Assert.Equal(FusedAdamW.Format, optimizerState.Metadata["format"]);
        Assert.Equal("12", optimizerState.Metadata["step"]);   // 3 updates x 2 iterations x 2 minibatches

        // Other settings cannot resume it; the message names the setting.
        var mismatch = Assert.Throws<CheckpointMismatchException>(() => new GrpoTrainer(config with { Beta = 0.1 }).Train(FixturePaths.Lm, null,
            PpoTestScorers.Prompts, folder.Sub("other"), checkpoints, null, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0)));
        Assert.Contains("beta", mismatch.Message);

        // Resumed: continues with update 4, exactly as the uninterrupted run.
        var second = new List<GrpoMetrics>();
        var result = new GrpoTrainer(config with { CheckpointEvery = 3 }).Train(FixturePaths.Lm, null, PpoTestScorers.Prompts, folder.Sub("resumed"),
            checkpoints, second.Add, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0));
        Assert.Equal([4L], second.Select(m => m.Step));
        foreach (var (a, b) in first.Concat(second).Zip(straight))
            foreach (var name in new[] { "reward", "kl", "loss", "entropy", "learning_rate", "clip_ratio/region_mean" })
                Assert.True(Math.Abs(a.Values[name] - b.Values[name]) <= 1e-5 * (1 + Math.Abs(b.Values[name])),
                    $"update {a.Step} {name}: resumed {a.Values[name]}, uninterrupted {b.Values[name]}");
        Assert.Equal(4, result.Steps);
        Assert.Equal(straight[0].Values["reward"], result.FirstMeanReward, 6);

        using var a1 = ModelLoader.LoadLanguageModel(folder.Sub("straight"));
        using var b1 = ModelLoader.LoadLanguageModel(folder.Sub("resumed"));
        foreach (var ((name, pa), (_, pb)) in a1.Module.named_parameters().Zip(b1.Module.named_parameters()))
            Assert.True(pa.allclose(pb, rtol: 1e-4, atol: 1e-6), $"{name} differs after resuming");
    }
}
