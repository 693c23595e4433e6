using Rlhf.Training.Checkpoints;
using Rlhf.Training.Ppo;
using Rlhf.Training.Text;
using static TorchSharp.torch;

namespace Rlhf.Training.Sampling;

/// <summary>
/// KL(π‖π_ref) of a trained policy from its reference, measured the same way whatever trained it (PPO, GRPO, DPO): the
/// policy samples one response per prompt (at temperature T, up to its first end-of-text token), and the estimate is
/// the mean over responses of the summed per-token log-ratio log π(y_t | x, y_&lt;t) - log π_ref(y_t | x, y_&lt;t), both
/// models' logits divided by T (the k1 estimator of PPO's objective/kl, which is unbiased for the sequence-level KL).
/// DPO has no KL of its own to report, so a comparison of methods needs this one number computed alike for all.
/// </summary>
public static class ReferenceKl
{
    /// <param name="samplesPerPrompt">Responses sampled per prompt: the k1 estimate of one response can be negative; more samples steady the mean.</param>
    /// <param name="batchSize">Responses sampled together.</param>
    /// <returns>Mean summed log-ratio in nats per response, and the number of responses it averages.</returns>
    public static (double Kl, int Responses) Estimate(string policyFolder, string referenceFolder, IReadOnlyList<string> prompts,
        int maxNewTokens, double temperature, ulong seed, int samplesPerPrompt = 4, int batchSize = 16)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts to sample on", nameof(prompts));
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrompt, 1);
        TorchThreads.EnsureConfigured();
        using var noGrad = no_grad();
        using var policy = ModelLoader.LoadLanguageModel(policyFolder);
        using var reference = ModelLoader.LoadLanguageModel(referenceFolder);
        policy.Module.eval();
        reference.Module.eval();
        var tokenizer = ModelTokenizers.LoadRenderable(policyFolder, policy.VocabSize);
        var maxPromptLength = Math.Max(1, Math.Min(policy.MaxPositions, reference.MaxPositions) - maxNewTokens);
        var queries = prompts.SelectMany(p => Enumerable.Repeat(p, samplesPerPrompt)).Select(p =>
        {
            var ids = ChatPrompts.EncodePrompt(tokenizer, p);
            return (IReadOnlyList<int>)(ids.Length > maxPromptLength ? ids[^maxPromptLength..] : ids);
        }).ToArray();
        var eos = policy.EosTokenIds.FirstOrDefault(policy.PadTokenId);
        var config = new GenerationConfig
        {
            MaxNewTokens = maxNewTokens, Temperature = temperature, TopK = 0, TopP = 1.0, EosTokenId = eos, PadTokenId = policy.PadTokenId, StopAtEos = true,
        };
        var sum = 0.0;
        for (var start = 0; start < queries.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = queries[start..Math.Min(queries.Length, start + batchSize)];
            var rollout = PpoRollout.Sample(policy, batch, config, seed + (ulong)start, eos, policy.PadTokenId);
            var P = rollout.ContextLength;
            var logprobs = PpoForward.LogProbs(PpoForward.ResponseLogits(policy, rollout.QueryResponses, rollout.AttentionMask, P, temperature), rollout.Responses);        // [B, N]
            var refLogprobs = PpoForward.LogProbs(PpoForward.ResponseLogits(reference, rollout.QueryResponses, rollout.AttentionMask, P, temperature), rollout.Responses); // [B, N]
            var logRatio = (logprobs - refLogprobs).masked_fill(rollout.PaddingMask, 0);   // [B, N], 0 after the last valid token
            sum += logRatio.sum().item<float>();
        }
        return (sum / queries.Length, queries.Length);
    }
}
