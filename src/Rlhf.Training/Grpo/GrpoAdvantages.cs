using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training.Grpo;

/// <summary>
/// GRPO's group-relative advantages, as TRL's _generate_and_score_completions computes them: the completions of one
/// prompt are consecutive rows (G of them), and
/// <code>
/// A_i = r_i - mean(r of the group)                        (scale_rewards = false, Dr. GRPO)
/// A_i = (r_i - mean(r of the group)) / (std + 1e-4)       (scale_rewards, std unbiased as torch.std)
/// </code>
/// A group whose rewards are all equal has std 0 and gets advantage 0 (not NaN): its completions teach nothing.
/// </summary>
public static class GrpoAdvantages
{
    /// <summary>TRL's 1e-4 added to the group std.</summary>
    public const double StdEpsilon = 1e-4;

    /// <param name="rewards">float [B x G], the G completions of each prompt consecutive</param>
    /// <param name="groupSize">G</param>
    /// <returns>advantages [B x G] and each completion's group std [B x G] (unbiased; 0 for a group of equal rewards)</returns>
    public static (Tensor Advantages, Tensor GroupStd) Compute(Tensor rewards, int groupSize, bool scaleRewards)
    {
        if (groupSize < 2) throw new ArgumentException($"a group needs at least 2 completions (got {groupSize})", nameof(groupSize));
        if (rewards.shape.Length != 1 || rewards.shape[0] % groupSize != 0)
            throw new ArgumentException($"rewards of shape [{string.Join(", ", rewards.shape)}] are not whole groups of {groupSize}", nameof(rewards));
        using var scope = NewDisposeScope();
        var grouped = rewards.view(-1, groupSize);                                      // [B, G]
        var mean = grouped.mean([1], keepdim: true);                                    // [B, 1]
        var std = grouped.std(1, unbiased: true, keepdim: true);                        // [B, 1]
        var advantages = grouped - mean;                                                // [B, G]
        if (scaleRewards) advantages = advantages / (std + StdEpsilon);
        // A group of equal rewards: centred exactly 0 already; written explicitly so no rounding of the mean leaks through.
        advantages = advantages.masked_fill(std.eq(0).expand_as(advantages), 0);
        return scope.MoveToOuter(advantages.reshape(-1), std.expand_as(grouped).reshape(-1));
    }
}
