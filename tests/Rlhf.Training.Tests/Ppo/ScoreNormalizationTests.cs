using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Sampling;
using Rlhf.Training.Text;
using Xunit.Abstractions;

namespace Rlhf.Training.Tests.Ppo;

/// <summary>Reward normalisation on the initial policy's samples (lm-human-preferences), PPO's default.</summary>
public class ScoreNormalizationTests(ITestOutputHelper output)
{
    private static PpoConfig Config(string normalization) => new()
    {
        Steps = 1, BatchSize = 8, MiniBatches = 1, PpoEpochs = 1, LearningRate = 1e-3, ResponseLength = 8, MaxPromptLength = 24, Seed = 21,
        SampleEvery = 1, RewardNormalization = normalization, RewardNormalizationSamples = 32,
    };

    /// <summary>
    /// The first update samples the same responses either way (its random stream does not depend on the
    /// normalisation), so its scores with normalisation are exactly (raw - mean) / std, with mean and std those of 32
    /// samples of the initial policy drawn from their own stream; and those 32 normalised scores have mean 0 and std 1.
    /// </summary>
    [Fact]
    public void Scores_are_shifted_and_scaled_by_the_initial_policys_own_samples()
    {
        TorchThreads.EnsureConfigured();
        var (set, _) = PpoTestScorers.FrequentTokens(16, 8);
        var scorer = new PpoTestScorers.TokenShareScorer(set, 1.0);
        using var folder = new TempFolder();
        List<PpoSample> Run(string normalization)
        {
            var samples = new List<PpoSample>();
            new PpoTrainer(Config(normalization)).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts, folder.Sub(normalization), null,
                null, s => samples.AddRange(s), CancellationToken.None, scorer);
            return samples;
        }
        var raw = Run(PpoConfig.NoNormalization);
        var normalized = Run(PpoConfig.NormalizeOnInitialPolicy);

        // The same normalisation, measured directly.
        using var policy = Gpt2Checkpoint.LoadLanguageModel(FixturePaths.Lm);
        var queries = PpoTestScorers.Prompts.Select(p => (IReadOnlyList<int>)Gpt2Tokenizer.Shared.Encode(ConversationTemplate.RenderPrompt(p))).ToArray();
        var config = Config(PpoConfig.NormalizeOnInitialPolicy);
        var generation = new GenerationConfig { MaxNewTokens = 8, Temperature = 0.7, StopAtEos = true };
        var norm = ScoreNormalization.FromInitialPolicy(policy, scorer, queries, new PromptOrder(queries.Length, 8, 21), generation, config, 50256);
        output.WriteLine($"mean {norm.Mean:F4}, std {norm.Std:F4}");
        Assert.True(norm.Std > 0.01 && norm.Std != 1.0, $"std {norm.Std}");

        Assert.Equal(raw.Select(s => s.Response), normalized.Select(s => s.Response));
        foreach (var (r, n) in raw.Zip(normalized))
            Assert.Equal((r.Score - norm.Mean) / norm.Std, n.Score, 4);
    }

    [Fact]
    public void A_constant_score_is_shifted_to_zero_and_not_divided_by_a_zero_spread()
    {
        TorchThreads.EnsureConfigured();
        using var folder = new TempFolder();
        var samples = new List<PpoSample>();
        new PpoTrainer(Config(PpoConfig.NormalizeOnInitialPolicy)).Train(FixturePaths.Lm, FixturePaths.Reward, PpoTestScorers.Prompts,
            folder.Sub("out"), null, null, s => samples.AddRange(s), CancellationToken.None, new PpoTestScorers.ConstantScorer(0.7f));
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.Equal(0.0, s.Score, 5));
    }

    [Fact]
    public void Unknown_normalisations_are_refused_by_name()
    {
        var problems = Config("mean").Validate();
        Assert.Contains(problems, p => p.Contains("--reward-normalization must be initial_policy or none (got mean)"));
        Assert.Contains((Config(PpoConfig.NoNormalization) with { RewardNormalizationSamples = 1 }).Validate(), p => p.Contains("--reward-normalization-samples"));
    }
}
