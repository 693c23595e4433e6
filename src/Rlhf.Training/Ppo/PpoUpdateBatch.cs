using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// What the PPO epochs read from one rollout batch (TRL's names), every tensor [B, ...]: query_responses and their
/// attention mask [B, P + N], responses, logprobs, values, returns, advantages and padding_mask [B, N], and P.
/// </summary>
public sealed record PpoUpdateBatch(Tensor QueryResponses, Tensor AttentionMask, Tensor Responses, Tensor Logprobs, Tensor Values,
    Tensor Returns, Tensor Advantages, Tensor PaddingMask, int ContextLength);
