using static TorchSharp.torch;

namespace Rlhf.Training.Ppo;

/// <summary>
/// Scores whole sequences for PPO (TRL's reward model role): one number per query+response.
/// <para>Input layout (what <see cref="PpoTrainer"/> passes): the queries are left-padded to a common
/// <c>contextLength</c> P, the responses follow from column P on and are already truncated after their first stop
/// token (the stop token is kept, later positions hold pad with mask 0).</para>
/// </summary>
public interface IScorer
{
    /// <summary>The score of each sequence.</summary>
    /// <param name="queryResponseIds">int64 [B, P + N]: left-padded query, then the truncated response</param>
    /// <param name="mask">int64 [B, P + N]: 1 for real tokens (query tokens, response tokens up to and including the stop token), 0 for padding</param>
    /// <param name="contextLength">P, the column where the responses start</param>
    /// <returns>float32 [B], no grad</returns>
    Tensor Score(Tensor queryResponseIds, Tensor mask, int contextLength);
}
