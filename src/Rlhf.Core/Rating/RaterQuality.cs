namespace Rlhf.Core.Rating;

/// <summary>
/// Flags raters whose gold accuracy is too low to trust, once there is enough gold to judge (a project setting,
/// e.g. below 70% over at least 10 gold); a flagged rater can be paused by the project.
/// </summary>
public static class RaterQuality
{
    /// <summary>
    /// True when the rater answered at least <paramref name="minimumGold"/> gold pairs and their accuracy is below
    /// <paramref name="threshold"/>. Fewer answers never flag: a new rater who misses their first gold pair is not
    /// yet evidence of a bad rater.
    /// </summary>
    /// <param name="stats">The rater's gold record in the project.</param>
    /// <param name="threshold">The accuracy below which a rater is flagged (strictly below).</param>
    /// <param name="minimumGold">The gold answers needed before flagging, at least 1.</param>
    public static bool IsFlagged(RaterGoldStats stats, double threshold = 0.7, int minimumGold = 10)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumGold, 1);
        return stats.Answered >= minimumGold && stats.Accuracy < threshold;
    }
}
