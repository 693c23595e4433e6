namespace Rlhf.Jobs.Training;

/// <summary>A stable split of a project's prompts into PPO training prompts and held-out prompts (for rating the result).</summary>
public static class PromptSplit
{
    /// <summary>Held out: the prompts whose id hashes into the lowest <paramref name="heldOutFraction"/> (stable across runs).</summary>
    public static bool IsHeldOut(long promptId, double heldOutFraction)
    {
        var h = (ulong)promptId * 0x9E3779B97F4A7C15UL;
        h ^= h >> 29;
        return (h % 10_000) < (ulong)(heldOutFraction * 10_000);
    }
}
