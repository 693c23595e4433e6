using Rlhf.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// One PPO minibatch step, TRL's inner loop: the minibatch's rows of the rollout, new log-probs (logits / temperature)
/// and values at the response positions, <see cref="PpoLoss"/>, backward, each model's gradient clipped, one AdamW
/// step; then the statistics (the entropy of the new logits, from the same log_softmax as the log-probs, included). Used by <see cref="PpoTrainer"/> and timed by
/// `rlhf bench ppo` on any model family.
/// </summary>
public static class PpoMinibatchUpdate
{
    /// <param name="rows">the minibatch's row indices into <paramref name="batch"/></param>
    /// <param name="times">phase timer (benchmarks only), or null</param>
    public static PpoMinibatchStats Run(ICausalLanguageModel policy, IRewardModel valueModel, PpoOptimizer optimizer, PpoUpdateBatch batch,
        long[] rows, PpoConfig args, PpoPhaseTimes? times = null)
    {
        using var scope = NewDisposeScope();
        times?.Start();
        var miniBatchInds = tensor(rows);                                                           // [mb]
        var mbAdvantage = batch.Advantages.index_select(0, miniBatchInds);                          // [mb, N]
        var mbResponses = batch.Responses.index_select(0, miniBatchInds);                           // [mb, N]
        var mbQueryResponses = batch.QueryResponses.index_select(0, miniBatchInds);                 // [mb, P + N]
        var mbAttentionMask = batch.AttentionMask.index_select(0, miniBatchInds);                   // [mb, P + N]
        var mbLogprobs = batch.Logprobs.index_select(0, miniBatchInds);                             // [mb, N]
        var mbReturn = batch.Returns.index_select(0, miniBatchInds);                                // [mb, N]
        var mbValues = batch.Values.index_select(0, miniBatchInds);                                 // [mb, N]
        var mbPaddingMask = batch.PaddingMask.index_select(0, miniBatchInds);                       // [mb, N]
        var P = batch.ContextLength;

        var logits = PpoForward.ResponseLogits(policy, mbQueryResponses, mbAttentionMask, P, args.Temperature);   // [mb, N, V]
        times?.Lap("policy_forward");
        var (newLogprobs, entropy) = PpoForward.LogProbsAndEntropy(logits, mbResponses);            // [mb, N] each
        times?.Lap("log_softmax");
        var vpred = PpoForward.Values(valueModel, mbQueryResponses, mbAttentionMask, P);            // [mb, N]
        times?.Lap("value_forward");
        var terms = PpoLoss.Compute(newLogprobs, mbLogprobs, mbAdvantage, vpred, mbValues, mbReturn, mbPaddingMask,
            args.ClipRange, args.ClipRangeValue, args.VfCoef);
        times?.Lap("loss");
        var (policyGradNorm, valueGradNorm) = optimizer.Step(terms.Loss, times);
        using (no_grad())
        {
            var stats = new PpoMinibatchStats(terms.ApproxKl.item<float>(), terms.PgClipfrac.item<float>(), terms.PgLoss.item<float>(),
                terms.VfLoss.item<float>(), terms.VfClipfrac.item<float>(), entropy.mean().item<float>(), terms.RatioMean.item<float>(),
                policyGradNorm, valueGradNorm);
            times?.Lap("entropy_and_stats");
            return stats;
        }
    }
}
