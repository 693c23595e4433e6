namespace Rlhf.Core.Rating;

/// <summary>
/// Combines the votes on one comparison into one preference, the step before exporting TRL-style preference data
/// (prompt, chosen, rejected), where only comparisons with a non-zero direction become training pairs.
/// </summary>
public static class PreferenceAggregation
{
    /// <summary>Below this absolute mean strength the mean is treated as exactly 0 (floating-point noise).</summary>
    private const double ZeroMean = 1e-9;

    /// <summary>
    /// The combined preference of the votes.
    /// <see cref="AggregationMethod.MeanStrength"/>: direction = sign(mean), 0 when |mean| &lt; 1e-9.
    /// <see cref="AggregationMethod.Majority"/>: the direction (A, tie, B) with strictly the most votes; any tie
    /// for the top gives 0: A against B because the raters are split, and the tie direction against a side because
    /// as many raters saw no difference as saw that side win, too weak a signal to train on as a preference.
    /// No votes give (0, 0, 0, 0).
    /// </summary>
    /// <param name="strengths">The comparison's not-voided votes, -2..2.</param>
    /// <param name="method">How to combine them.</param>
    public static AggregatedPreference Aggregate(IReadOnlyList<int> strengths, AggregationMethod method)
    {
        ArgumentNullException.ThrowIfNull(strengths);
        foreach (var strength in strengths)
        {
            if (!VoteStrength.IsValid(strength))
                throw new ArgumentOutOfRangeException(nameof(strengths), strength, "A vote strength lies in -2..2.");
        }
        if (strengths.Count == 0)
            return new AggregatedPreference(0, 0, 0, 0);

        var mean = strengths.Average();
        var counts = new int[3];
        foreach (var strength in strengths)
            counts[VoteStrength.Direction(strength) + 1]++;

        var direction = method switch
        {
            AggregationMethod.MeanStrength => Math.Abs(mean) < ZeroMean ? 0 : Math.Sign(mean),
            AggregationMethod.Majority => MajorityDirection(counts),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown aggregation method."),
        };
        var agreement = (double)counts[direction + 1] / strengths.Count;
        return new AggregatedPreference(direction, mean, agreement, strengths.Count);
    }

    /// <summary>The direction with strictly the most votes, or 0 when the top count is shared.</summary>
    private static int MajorityDirection(int[] counts)
    {
        var top = counts.Max();
        return counts.Count(c => c == top) > 1 ? 0 : Array.IndexOf(counts, top) - 1;
    }
}
