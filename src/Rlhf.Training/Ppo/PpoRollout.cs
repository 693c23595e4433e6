using Rlhf.Training.Models;
using Rlhf.Training.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// One batch of responses sampled for PPO and processed as TRL's loop does before scoring: sampled with the KV cache,
/// truncated after the first stop token (kept; later tokens become pad), with the masks that follow. All tensors are
/// owned by the caller's dispose scope.
/// </summary>
/// <param name="Queries">int64 [B, P], left-padded</param>
/// <param name="Responses">int64 [B, N], truncated</param>
/// <param name="Logprobs">float [B, N], log_softmax(logits / T) of the sampled tokens (from generation)</param>
/// <param name="SequenceLengths">int64 [B], index of each response's last valid token</param>
/// <param name="PaddingMask">bool [B, N], true after the last valid token</param>
/// <param name="QueryResponses">int64 [B, P + N]</param>
/// <param name="AttentionMask">int64 [B, P + N], 1 for real query tokens and valid response tokens</param>
internal sealed record PpoRollout(Tensor Queries, Tensor Responses, Tensor Logprobs, Tensor SequenceLengths, Tensor PaddingMask,
    Tensor QueryResponses, Tensor AttentionMask)
{
    /// <summary>P, the column where the responses start.</summary>
    public int ContextLength => (int)Queries.shape[1];

    /// <summary>Samples responses to <paramref name="queries"/> without grad; <paramref name="stopTokenId"/> null = no truncation.</summary>
    public static PpoRollout Sample(ICausalLanguageModel policy, IReadOnlyList<IReadOnlyList<int>> queries, GenerationConfig config,
        ulong seed, int? stopTokenId, int padTokenId)
    {
        using var noGrad = no_grad();
        Tensor queryIds, queryMask, responses, logprobs;
        using (var generator = new Generator(seed))
        using (var generation = Sampler.Generate(policy, queries, config, generator))
        {
            queryIds = generation.PromptIds.clone();                                    // [B, P] left-padded
            queryMask = generation.PromptMask.clone();                                  // [B, P]
            responses = generation.Tokens.clone();                                      // [B, N]
            logprobs = generation.LogProbs.clone();                                     // [B, N] log_softmax(logits / T)
        }
        var N = responses.shape[1];
        if (stopTokenId is int stop) responses = PpoMath.TruncateAtEos(responses, stop, padTokenId);   // [B, N]
        var sequenceLengths = PpoMath.SequenceLengths(responses, stopTokenId);          // [B] index of the last valid token
        var paddingMask = PpoMath.PaddingMask(sequenceLengths, N);                      // [B, N] bool
        var queryResponses = cat([queryIds, responses], 1);                             // [B, P + N]
        var attentionMask = cat([queryMask, paddingMask.logical_not().to_type(ScalarType.Int64)], 1);   // [B, P + N]
        return new PpoRollout(queryIds, responses, logprobs, sequenceLengths, paddingMask, queryResponses, attentionMask);
    }
}
