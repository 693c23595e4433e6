using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// lm-human-preferences' reward normalisation (normalize_before): a gain and bias chosen so that the scores of the
/// initial policy's own samples on the training prompts have mean 0 and standard deviation 1. The reward trainer's
/// shift centres the scores of the preference data's responses, which the policy does not write, so without this PPO
/// starts with an offset of its own; with it the first updates' objective/scores average about 0 and kl_coef means
/// the same thing whatever the reward model's scale.
/// </summary>
/// <param name="Mean">mean raw score of the initial policy's samples (subtracted)</param>
/// <param name="Std">their standard deviation (biased, as numpy's std; divided by; 1 when they do not vary)</param>
public sealed record ScoreNormalization(double Mean, double Std)
{
    /// <summary>Scores as the scorer gives them.</summary>
    public static readonly ScoreNormalization None = new(0, 1);

    /// <summary>(scores - Mean) / Std. float [B]</summary>
    public Tensor Apply(Tensor scores) => this == None ? scores : (scores - Mean) / Std;

    /// <summary>
    /// Samples <see cref="PpoConfig.RewardNormalizationSamples"/> responses (rounded up to whole batches) from
    /// <paramref name="initialPolicy"/> on the run's first batches of prompts, with their own random stream, processes
    /// them as the training rollouts are (truncated after the stop token) and scores them.
    /// </summary>
    internal static ScoreNormalization FromInitialPolicy(Models.ICausalLanguageModel initialPolicy, IScorer scorer,
        IReadOnlyList<IReadOnlyList<int>> queryTokens, PromptOrder order, Sampling.GenerationConfig generationConfig, PpoConfig args, int padTokenId)
    {
        var batches = (args.RewardNormalizationSamples + args.BatchSize - 1) / args.BatchSize;
        var scores = new List<double>();
        using var noGrad = no_grad();
        for (var i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            var rollout = PpoRollout.Sample(initialPolicy, order.Batch(i).Select(b => queryTokens[b]).ToArray(), generationConfig,
                PpoSeeds.Normalization(args.Seed, i), args.StopTokenId, padTokenId);
            var batchScores = scorer.Score(rollout.QueryResponses, rollout.AttentionMask, rollout.ContextLength);   // [B]
            scores.AddRange(batchScores.to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray());
        }
        var mean = scores.Average();
        var std = Math.Sqrt(scores.Average(x => (x - mean) * (x - mean)));
        return new ScoreNormalization(mean, std > 1e-6 ? std : 1.0);
    }
}
