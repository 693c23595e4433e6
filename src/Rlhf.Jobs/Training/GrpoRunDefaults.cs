using Rlhf.Training.Grpo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Where a GRPO run started from the site begins: <see cref="GrpoConfig"/>'s defaults (TRL's; see there) except the
/// choice below, with its reason. The new-GRPO-run form shows these values.
/// </summary>
public static class GrpoRunDefaults
{
    public static GrpoConfig Config { get; } = new()
    {
        // As PPO's site default (TRL's GRPO examples pass a length penalty too): without it a policy learns to ramble to the token limit.
        MissingEosPenalty = 1.0,
    };
}
