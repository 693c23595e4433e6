using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;
using Rlhf.Training.Lora;
using Rlhf.Training.Sft;
using Rlhf.Training.Text;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Sft;

/// <summary>The SFT trainer learns (held-out completions become likelier), reports TRL's metrics, and resumes exactly.</summary>
public class SftTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Tiny_model_learns_the_replies_and_held_out_completion_log_likelihood_rises()
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var train = SftTestData.Examples(SftTestData.Tasks[..10]);
        var heldOut = SftTestData.Examples(SftTestData.Tasks[10..]);
        var config = new SftConfig
        {
            Epochs = 3, LearningRate = 5e-3, BatchSize = 6, MaxLength = 64, ValidationFraction = 0.2, EvalEvery = 5,
            SampleEvery = 10, SamplePrompts = 2, SampleMaxNewTokens = 8, Seed = 3,
        };
        var before = HeldOutLoss(FixturePaths.Lm, heldOut);
        var metrics = new List<SftMetrics>();
        var samples = new List<SftSample>();
        var result = new SftTrainer(config).Train(FixturePaths.Lm, train, folder.Sub("out"), null, metrics.Add, samples.AddRange, CancellationToken.None);
        var after = HeldOutLoss(folder.Sub("out"), heldOut);
        output.WriteLine($"held-out loss {before:F3} -> {after:F3}; {result.Steps} steps, eval_loss {result.FinalEvalLoss:F3}");

        // Held-out completion log-likelihood (-loss per token) rises clearly.
        Assert.True(after < before - 1.0, $"held-out loss {before} -> {after}");
        // TRL's metric names, every step; evaluations every 5 steps and at the end; num_tokens counts every real token.
        Assert.Equal(Enumerable.Range(1, (int)result.Steps).Select(i => (long)i), metrics.Select(m => m.Step));
        foreach (var key in new[] { "loss", "mean_token_accuracy", "num_tokens", "grad_norm", "learning_rate", "epoch" })
            Assert.All(metrics, m => Assert.True(m.Values.ContainsKey(key), $"step {m.Step} lacks {key}"));
        Assert.Equal(metrics.Where(m => m.Step % 5 == 0 || m.Step == result.Steps).Select(m => m.Step),
            metrics.Where(m => m.Values.ContainsKey("eval_loss")).Select(m => m.Step));
        Assert.Equal(result.FinalEvalLoss, metrics[^1].Values["eval_loss"]);
        Assert.True(metrics[^1].Values["loss"] < metrics[0].Values["loss"] - 1.0);
        Assert.Equal(result.NumTokens, metrics[^1].Values["num_tokens"]);
        Assert.Equal(36 - result.ValidationExamples, result.TrainExamples + 6);
        // Samples: the same 2 validation prompts at steps 10, 20 ... and the last.
        Assert.Equal(metrics.Where(m => m.Step % 10 == 0 || m.Step == result.Steps).SelectMany(m => new[] { m.Step, m.Step }), samples.Select(s => s.Step));
        Assert.Single(samples.Select(s => s.Prompt).Take(2).Except(samples.Select(s => s.Prompt).TakeLast(2)).Append("x"));
        // The output is a full model with the base's template: it loads like any base.
        Assert.Equal("gpt2", ModelLoader.ReadModelType(folder.Sub("out")));
    }

    [Fact]
    public void Cancelled_lora_run_resumes_to_the_uninterrupted_result()
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var examples = SftTestData.Examples(SftTestData.Tasks);
        var config = new SftConfig
        {
            Epochs = 1, LearningRate = 1e-2, BatchSize = 1, MaxLength = 64, ValidationFraction = 0.15, EvalEvery = 3, SampleEvery = 0,
            CheckpointEvery = 3, Packing = true, Seed = 9, Lora = new LoraConfig { Rank = 4, Alpha = 8, TargetModules = ["c_attn", "c_fc"] },
        };
        var trainer = new SftTrainer(config);
        var straight = new List<SftMetrics>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var expected = trainer.Train(FixturePaths.Lm, examples, folder.Sub("straight"), null, straight.Add, null, CancellationToken.None);
        output.WriteLine($"straight run {clock.Elapsed.TotalSeconds:F1} s, {expected.Steps} steps");
        Assert.True(expected.Steps >= 5, $"{expected.Steps} steps");
        Assert.True(expected.IsAdapter);

        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        var before = new List<SftMetrics>();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(FixturePaths.Lm, examples, folder.Sub("out"), checkpoints,
            m => { before.Add(m); if (m.Step == 4) cts.Cancel(); }, null, cts.Token));
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoints, "trainer_state.json")))!;
        Assert.Equal(4, state["step"]!.GetValue<long>());
        Assert.True(state["lora"]!.GetValue<bool>());
        Assert.True(LoraFiles.IsAdapter(Path.Combine(checkpoints, "step-000004")));

        var after = new List<SftMetrics>();
        var resumed = trainer.Train(FixturePaths.Lm, examples, folder.Sub("out"), checkpoints, after.Add, null, CancellationToken.None);
        Assert.Equal(Enumerable.Range(5, (int)expected.Steps - 4).Select(i => (long)i), after.Select(m => m.Step));
        foreach (var m in after)
        {
            var reference = straight.Single(s => s.Step == m.Step);
            Assert.Equal(reference.Values["learning_rate"], m.Values["learning_rate"], 12);
            Assert.Equal(reference.Values["num_tokens"], m.Values["num_tokens"]);
            Assert.Equal(reference.Values["loss"], m.Values["loss"], 1e-5);
        }
        Assert.Equal(expected.FinalEvalLoss, resumed.FinalEvalLoss, 1e-5);
        var a = SafeTensorsFile.Read(Path.Combine(folder.Sub("straight"), LoraFiles.WeightsFileName)).Tensors;
        var b = SafeTensorsFile.Read(Path.Combine(folder.Sub("out"), LoraFiles.WeightsFileName)).Tensors;
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (key, t) in a) Assert.All(t.Data.Zip(b[key].Data), p => Assert.Equal(p.First, p.Second, 1e-5));

        // Other settings cannot resume this checkpoint.
        Assert.Throws<CheckpointMismatchException>(() => new SftTrainer(config with { LearningRate = 2e-2 })
            .Train(FixturePaths.Lm, examples, folder.Sub("other"), checkpoints, null, null, CancellationToken.None));
    }

    /// <summary>Mean loss per completion token of the model in <paramref name="modelFolder"/> on <paramref name="examples"/>.</summary>
    private static double HeldOutLoss(string modelFolder, IReadOnlyList<SftExample> examples)
    {
        using var model = ModelLoader.LoadLanguageModel(modelFolder);
        var sequences = SftTrainer.EncodeAll(examples, ModelTokenizer.Load(modelFolder), 64);
        return SftTrainer.Evaluate(model, Enumerable.Range(0, examples.Count).ToArray(), sequences, 8).Loss;
    }
}
