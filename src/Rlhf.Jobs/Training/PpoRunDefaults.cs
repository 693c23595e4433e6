using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Where a PPO run started from the site begins: <see cref="PpoConfig"/>'s defaults (TRL's; see there) except the few
/// choices below, each with its reason. The new-PPO-run form shows these values and `rlhf bench loop` starts from them.
/// </summary>
public static class PpoRunDefaults
{
    public static PpoConfig Config { get; } = new()
    {
        // Half of PpoConfig's 100: a run started from a page is usually a first look at the curves on the site's CPU.
        Steps = 50,
        // A restart resumes from the last checkpoint; with PpoConfig's 50 a run of 50 updates would never have one before it ends.
        CheckpointEvery = 10,
        // TRL's PPO example command passes --missing_eos_penalty 1.0: without it a policy learns to ramble to the token limit.
        MissingEosPenalty = 1.0,
    };
}
