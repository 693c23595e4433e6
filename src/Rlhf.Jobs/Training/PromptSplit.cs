using Microsoft.EntityFrameworkCore;
using Rlhf.Data;

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

    /// <summary>The texts of a project's prompts that are not held out, in id order (what PPO and GRPO runs train on).</summary>
    public static async Task<List<string>> TrainingPromptsAsync(RlhfDbContext db, int projectId, double heldOutFraction, CancellationToken ct)
    {
        var all = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == projectId).OrderBy(p => p.Id).Select(p => new { p.Id, p.Text }).ToListAsync(ct);
        return all.Where(p => !IsHeldOut(p.Id, heldOutFraction)).Select(p => p.Text).ToList();
    }
}
