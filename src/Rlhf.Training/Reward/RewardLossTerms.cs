using static TorchSharp.torch;

namespace Rlhf.Training.Reward;

/// <summary>
/// The loss of a batch of pairs and its metrics, as 0-d tensors (Loss carries the graph; the others are detached).
/// </summary>
/// <param name="Loss">mean(-log sigmoid(r_c - r_r [- margin])) [+ coef x mean((r_c + r_r)^2)]</param>
/// <param name="Accuracy">share of pairs with r_c &gt; r_r</param>
/// <param name="Margin">mean(r_c - r_r) (the pairs' margins are not subtracted)</param>
/// <param name="MeanReward">mean of all 2B rewards</param>
public sealed record RewardLossTerms(Tensor Loss, Tensor Accuracy, Tensor Margin, Tensor MeanReward);
