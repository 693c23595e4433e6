using static TorchSharp.torch;

namespace Rlhf.Training.Models;

/// <summary>
/// A causal LM of any supported family (GPT2LMHeadModel, LlamaForCausalLM for llama/qwen2/qwen3).
/// Left padding: pass the attention mask and position ids = <see cref="AttentionMasks.PositionIdsFromMask"/>.
/// </summary>
public interface ICausalLanguageModel : IDecoderModel
{
    /// <summary>Ids that end a generation (generation_config.json's eos_token_id, an int or a list; else config.json's).</summary>
    IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Next-token logits.</summary>
    /// <param name="inputIds">int64 [B, T]</param>
    /// <param name="attentionMask">[B, past + T] 0/1, or null (no padding)</param>
    /// <param name="positionIds">int64 [B, T], or null for past .. past+T-1</param>
    /// <param name="cache">inference-only KV cache, advanced by T</param>
    /// <returns>[B, T, vocab]</returns>
    Tensor forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);

    /// <summary>The backbone's hidden states after its final norm, before the LM head (PPO reads only the response positions).</summary>
    /// <returns>[B, T, C]</returns>
    Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);

    /// <summary>The LM head on hidden states: [..., C] -> float32 logits [..., vocab].</summary>
    Tensor LmHead(Tensor hidden);

    /// <summary>A new, empty KV cache sized for this model.</summary>
    KvCache NewCache();
}
