using Rlhf.Training.Checkpoints;
using Rlhf.Training.Optim;
using Rlhf.Training.Ppo;
using Rlhf.Training.Reward;
using Rlhf.Training.Text;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>The PPO trainer end to end on the tiny fixtures: sanity of the first update, metrics, samples, truncation, resume.</summary>
public class PpoTrainerTests(ITestOutputHelper output)
{
    private static readonly string[] TrlMetrics =
    [
        "objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward", "objective/scores",
        "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg", "policy/entropy_avg",
        "val/ratio", "val/ratio_var", "val/num_eos_tokens", "lr", "episode", "eps",
    ];

    [Fact]
    public void First_update_on_the_sampling_weights_has_ratio_1_and_the_eos_handling_reaches_scores_and_samples()
    {
        TorchThreads.EnsureConfigured();
        // A frequent token of the tiny policy plays the stop token, so some responses stop early and others do not.
        var (frequent, _) = PpoTestScorers.FrequentTokens(1, 16);
        var stop = (int)frequent.Single();
        var config = new PpoConfig
        {
            Steps = 3, BatchSize = 8, MiniBatches = 1, PpoEpochs = 1, LearningRate = 1e-3, ResponseLength = 16, StopTokenId = stop,
            MissingEosPenalty = 1.0, MaxPromptLength = 24, Seed = 11, SampleEvery = 2, AdaptiveKl = true, KlEstimator = "k3",
            RewardNormalization = PpoConfig.NoNormalization,
        };
        using var folder = new TempFolder();
        var metrics = new List<PpoMetrics>();
        var samples = new List<IReadOnlyList<PpoSample>>();
        var result = new PpoTrainer(config).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("out"), null,
            metrics.Add, samples.Add, CancellationToken.None, new PpoTestScorers.ConstantScorer(0.5f));
        foreach (var m in metrics)
            output.WriteLine($"{m.Step} {string.Join(" ", m.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:G4}"))}");

        Assert.Equal([1L, 2L, 3L], metrics.Select(m => m.Step));
        Assert.Equal([8L, 16L, 24L], metrics.Select(m => m.Episode));
        foreach (var name in TrlMetrics.Append("objective/kl_coef"))
            Assert.True(metrics[0].Values.ContainsKey(name), $"missing metric {name}");

        // One epoch, one minibatch: the only minibatch of each update runs on the weights that sampled.
        foreach (var m in metrics)
        {
            Assert.Equal(1.0, m.Values["val/ratio"], 5);
            Assert.True(m.Values["policy/approxkl_avg"] < 1e-9, $"approxkl {m.Values["policy/approxkl_avg"]}");
            Assert.Equal(0.0, m.Values["policy/clipfrac_avg"]);
            Assert.Equal(0.0, m.Values["val/clipfrac_avg"]);
            Assert.Equal(0.0, m.Values["val/ratio_var"]);
        }
        // Update 1: the policy is the reference, so KL = 0 and rlhf_reward = scores.
        Assert.True(Math.Abs(metrics[0].Values["objective/kl"]) < 1e-4);
        Assert.Equal(metrics[0].Values["objective/scores"], metrics[0].Values["objective/rlhf_reward"], 4);
        Assert.Equal(0.05, metrics[0].Values["objective/kl_coef"], 12);
        Assert.Equal(1e-3, metrics[0].Values["lr"], 12);
        Assert.Equal(1e-3 * 2 / 3, metrics[1].Values["lr"], 12);   // linear decay to 0 over 3 updates

        // Samples at updates 1 and 3 (1 + SampleEvery, and the last); the penalty hits exactly the responses without the stop token.
        Assert.Equal([1L, 3L], samples.Select(s => s[0].Step));
        foreach (var batch in samples)
        {
            Assert.Equal(8, batch.Count);
            foreach (var s in batch)
            {
                Assert.Contains(s.Prompt, PpoTestScorers.Prompts);
                Assert.Equal(s.HasEos ? 0.5 : -0.5, s.Score, 6);
            }
            var step = metrics.Single(m => m.Step == batch[0].Step);
            Assert.Equal(batch.Count(s => s.HasEos), (int)step.Values["val/num_eos_tokens"]);
            Assert.Equal(batch.Average(s => s.Score), step.Values["objective/scores"], 5);
        }
        var all = samples.SelectMany(s => s).ToArray();
        Assert.Contains(all, s => s.HasEos);
        Assert.Contains(all, s => !s.HasEos);
        // A response that stopped ends just before its stop token: no stop token inside it.
        var stopText = Gpt2Tokenizer.Shared.Decode([stop]);
        foreach (var s in all.Where(s => s.HasEos))
            Assert.True(Gpt2Tokenizer.Shared.Encode(s.Response).Length < 16, $"'{s.Response}' should be shorter than 16 tokens");
        output.WriteLine($"stop token {stop} '{stopText}'; {all.Count(s => s.HasEos)} of {all.Length} samples stopped");

        Assert.Equal(3, result.Steps);
        using var saved = Gpt2Checkpoint.LoadLanguageModel(folder.Sub("out"));
        Assert.Equal(16, saved.Config.NEmbd);
    }

    [Fact]
    public void The_reward_model_scorer_reads_the_reward_at_the_last_token_before_eos_as_the_reward_trainer_scores_text()
    {
        TorchThreads.EnsureConfigured();
        using var model = Gpt2Checkpoint.LoadRewardModel(FixturePaths.Reward);
        var tokenizer = Gpt2Tokenizer.Shared;
        (string Prompt, string Response)[] items = [("How do I bake bread?", "Mix the flour and wait"), ("Hi", "Hello there")];
        var rows = items.Select(x =>
        {
            var query = tokenizer.Encode(ConversationTemplate.RenderPrompt(x.Prompt));
            var response = tokenizer.Encode(" " + x.Response);
            Assert.Equal(tokenizer.Encode(ConversationTemplate.RenderWithResponse(x.Prompt, x.Response)), query.Concat(response));
            return (Query: query, Response: response);
        }).ToArray();
        // Left-pad the queries to P, then response + EOS, right-padded with pad (mask 0).
        var P = rows.Max(r => r.Query.Length);
        var N = rows.Max(r => r.Response.Length) + 2;
        var ids = new long[rows.Length * (P + N)];
        var mask = new long[ids.Length];
        for (var b = 0; b < rows.Length; b++)
        {
            var (q, r) = rows[b];
            for (var t = 0; t < P + N; t++)
            {
                var i = b * (P + N) + t;
                var qi = t - (P - q.Length);
                var ri = t - P;
                (ids[i], mask[i]) = t < P
                    ? qi >= 0 ? (q[qi], 1L) : (50256L, 0L)
                    : ri < r.Length ? (r[ri], 1L) : ri == r.Length ? (50256L, 1L) : (50256L, 0L);
            }
        }
        using var idsTensor = tensor(ids, [rows.Length, P + N]);
        using var maskTensor = tensor(mask, [rows.Length, P + N]);
        using var scores = new RewardModelScorer(model).Score(idsTensor, maskTensor, P);
        var expected = RewardTrainer.Score(model, items, maxLength: 64);
        var actual = scores.data<float>().ToArray();
        output.WriteLine($"expected {string.Join(", ", expected)}; actual {string.Join(", ", actual)}");
        for (var b = 0; b < rows.Length; b++) Assert.Equal(expected[b], actual[b], 4);
    }

    [Fact]
    public void A_cancelled_run_resumes_from_its_checkpoint_and_continues_as_an_uninterrupted_run()
    {
        TorchThreads.EnsureConfigured();
        var (set, _) = PpoTestScorers.FrequentTokens(16, 6);
        var config = new PpoConfig
        {
            Steps = 4, BatchSize = 4, MiniBatches = 2, PpoEpochs = 2, LearningRate = 1e-3, ResponseLength = 6, MaxPromptLength = 24,
            Seed = 3, CheckpointEvery = 2, AdaptiveKl = true, Horizon = 50, SampleEvery = 1000,
        };
        using var folder = new TempFolder();
        string[] compared = ["objective/scores", "objective/kl", "objective/kl_coef", "loss/value_avg", "loss/policy_avg", "policy/approxkl_avg", "lr"];

        // Uninterrupted reference run.
        var straight = new List<PpoMetrics>();
        new PpoTrainer(config).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("straight"), null,
            straight.Add, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0));

        // Cancelled after update 3: the checkpoint of update 2 is replaced by one of update 3.
        var checkpoints = folder.Sub("checkpoints");
        using var cts = new CancellationTokenSource();
        var first = new List<PpoMetrics>();
        Assert.ThrowsAny<OperationCanceledException>(() => new PpoTrainer(config).Train(FixturePaths.Lm, FixturePaths.Reward,
            PpoTestScorers.Prompts, folder.Sub("resumed"), checkpoints,
            m => { first.Add(m); if (m.Step == 3) cts.Cancel(); }, null, cts.Token, new PpoTestScorers.TokenShareScorer(set, 1.0)));
        Assert.Equal([1L, 2L, 3L], first.Select(m => m.Step));
        var state = File.ReadAllText(Path.Combine(checkpoints, "trainer_state.json"));
        Assert.Contains("\"step\": 3", state);
        Assert.True(Directory.Exists(Path.Combine(checkpoints, "step-000003", "policy")));
        Assert.False(Directory.Exists(Path.Combine(checkpoints, "step-000002")));
        Assert.False(Directory.Exists(folder.Sub("resumed")));
        // The optimizer state is in the one format of every trainer (the reward trainer's too).
        var optimizerState = SafeTensorsFile.Read(Path.Combine(checkpoints, "step-000003", "optimizer.safetensors"));
        Assert.Equal(FusedAdamW.Format, optimizerState.Metadata["format"]);
        Assert.Equal("12", optimizerState.Metadata["step"]);   // 3 updates x 2 epochs x 2 minibatches
        Assert.Contains("exp_avg/policy/transformer.wte.weight", optimizerState.Tensors.Keys);
        Assert.Contains("exp_avg_sq/value/score.weight", optimizerState.Tensors.Keys);

        // Other settings cannot resume this checkpoint; the message names the setting.
        var mismatch = Assert.Throws<CheckpointMismatchException>(() => new PpoTrainer(config with { KlCoef = 0.1 }).Train(FixturePaths.Lm, FixturePaths.Reward,
            PpoTestScorers.Prompts, folder.Sub("other"), checkpoints, null, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0)));
        Assert.Contains("kl_coef 0.05 in the checkpoint, 0.1 now", mismatch.Message);

        // Resumed, with settings that do not shape the run changed: continues with update 4, exactly as the uninterrupted run.
        var second = new List<PpoMetrics>();
        var result = new PpoTrainer(config with { SampleEvery = 500, CheckpointEvery = 3 }).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("resumed"), checkpoints,
            second.Add, null, CancellationToken.None, new PpoTestScorers.TokenShareScorer(set, 1.0));
        Assert.Equal([4L], second.Select(m => m.Step));
        Assert.Equal(16L, second[0].Episode);
        foreach (var (a, b) in first.Concat(second).Zip(straight))
            foreach (var name in compared)
                Assert.True(Math.Abs(a.Values[name] - b.Values[name]) <= 1e-5 * (1 + Math.Abs(b.Values[name])),
                    $"update {a.Step} {name}: resumed {a.Values[name]}, uninterrupted {b.Values[name]}");
        Assert.NotEqual(0.05, second[0].Values["objective/kl_coef"]);   // the adaptive beta came back from the checkpoint
        Assert.Equal(4, result.Steps);
        Assert.Equal(straight[0].Values["objective/scores"], result.FirstMeanScore, 6);

        using var a1 = Gpt2Checkpoint.LoadLanguageModel(folder.Sub("straight"));
        using var b1 = Gpt2Checkpoint.LoadLanguageModel(folder.Sub("resumed"));
        foreach (var ((name, pa), (_, pb)) in a1.named_parameters().Zip(b1.named_parameters()))
            Assert.True(pa.allclose(pb, rtol: 1e-4, atol: 1e-6), $"{name} differs after resuming");
    }
}
