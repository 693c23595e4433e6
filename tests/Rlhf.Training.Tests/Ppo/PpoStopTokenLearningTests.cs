using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>
/// PPO learns when to stop in the production setting, where the stop token, the pad token and EOS are one id (50256):
/// the truncation, the padding mask, the missing-EOS penalty and the score must all tell a real EOS from the pad that
/// follows it.
/// </summary>
public class PpoStopTokenLearningTests(ITestOutputHelper output)
{
    private const int Eos = 50256;
    private const int Target = 3;   // score 1 when the first EOS is the 4th response token

    /// <summary>
    /// The tiny fixture policy with EOS made common: ln_f's bias gets +4 on dimension 0 and wte[EOS, 0] = 2.3, so EOS
    /// has a logit of about 6 that moves by a few units with the context through ln_f's dimension 0 (about 0 for the
    /// other 50,256 tokens): p(EOS) about 0.1 per position at temperature 0.7, different at each position, so a few
    /// percent of responses stop first at exactly the 4th token and the position is easy to tell apart. (With EOS equally
    /// likely everywhere, ln_f's dimension 0 made constant, the share reached only 0.25 in 40 updates.)
    /// </summary>
    private static string WriteEosPronePolicy(string folder)
    {
        using var model = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        using (no_grad())
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var bias = parameters["transformer.ln_f.bias"];
            bias[0] = bias[0] + 4.0f;
            parameters["transformer.wte.weight"][Eos, 0] = 2.3f;
        }
        Gpt2Checkpoint.Save(model, folder);
        return folder;
    }

    /// <summary>1 when a response's first EOS is at response index <see cref="Target"/>, else 0.</summary>
    private sealed class StopAtTargetScorer : IScorer
    {
        public Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength)
        {
            using var scope = NewDisposeScope();
            var n = queryResponseIds.shape[1] - contextLength;
            var responses = queryResponseIds.narrow(1, contextLength, n);                  // [B, N]
            var first = PpoMath.FirstTrueIndices(responses.eq(Eos));                          // [B], N when none
            return scope.MoveToOuter(first.eq(Target).to_type(ScalarType.Float32));        // [B]
        }
    }

    /// <summary>
    /// With kl_coef 0.02 the KL-regularised optimum weights a stop at the 4th token by exp(1 / 0.02) against any other
    /// response, so it stops there with probability ~1; the KL this costs is about log(1 / 0.1) = 2.3 nats, worth
    /// 0.05 of score. Asserted: the share of responses that stop exactly there, over the last 5 updates (160 responses),
    /// exceeds 0.8 (measured: 0.08 over the first 5 updates, 0.97 over the last 5); and no response is scored 1 without its EOS at index 3.
    /// </summary>
    [Fact]
    public void Ppo_learns_to_stop_at_the_fourth_token_when_stop_pad_and_eos_are_one_token()
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var policy = WriteEosPronePolicy(folder.Sub("ref"));
        var config = new PpoConfig
        {
            Steps = 50, BatchSize = 32, MiniBatches = 2, PpoEpochs = 4, LearningRate = 5e-3, ResponseLength = 8,
            StopTokenId = Eos, MissingEosPenalty = 1.0, KlCoef = 0.02, Temperature = 0.7, MaxPromptLength = 24, Seed = 2, SampleEvery = 1,
            RewardNormalization = PpoConfig.NoNormalization,
        };
        var metrics = new List<PpoMetrics>();
        var samples = new List<IReadOnlyList<PpoSample>>();
        new PpoTrainer(config).Train(policy, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub("out"), null,
            metrics.Add, samples.Add, CancellationToken.None, new StopAtTargetScorer());

        double Share(IReadOnlyList<PpoSample> batch) => batch.Count(s => s.Score == 1.0) / (double)batch.Count;
        foreach (var (batch, m) in samples.Zip(metrics))
            output.WriteLine($"{m.Step,3} stop at 4: {Share(batch):F2} eos {m.Values["val/num_eos_tokens"],3} kl {m.Values["objective/kl"]:F2} score {m.Values["objective/scores"]:F3}");
        Assert.Equal(50, samples.Count);
        // Scores are 1 (first EOS at index 3), 0 (another EOS position) or -1 (no EOS: the missing-EOS penalty).
        foreach (var s in samples.SelectMany(x => x))
            Assert.True(s.Score == 1.0 ? s.HasEos : s.Score == (s.HasEos ? 0.0 : -1.0), $"'{s.Response}' has EOS {s.HasEos}, score {s.Score}");
        var first = samples.Take(5).Average(Share);
        var last = samples.TakeLast(5).Average(Share);
        output.WriteLine($"share stopping at the 4th token: first 5 updates {first:F3}, last 5 {last:F3}");
        Assert.True(last > 0.8, $"only {last:P0} of the last 5 updates' responses stop at the 4th token (first 5 updates: {first:P0})");
    }
}
