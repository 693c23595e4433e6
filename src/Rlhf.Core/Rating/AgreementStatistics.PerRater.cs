namespace Rlhf.Core.Rating;

public static partial class AgreementStatistics
{
    /// <summary>
    /// For each rater, the share of their votes whose direction (sign: A, tie, B) equals the majority direction of
    /// the other raters on the same unit. A rater far below their peers is guessing, careless, or reading the
    /// guidelines differently.
    /// </summary>
    /// <remarks>
    /// The others' majority is their most common direction when it is unique; a tie for the top (for example one
    /// other says A and one says B) is no majority, and such a unit is skipped for that rater, as is a unit where
    /// nobody else voted. A rater's own other entries on the same unit (which should not exist) are never counted
    /// as "others". Raters with no counted unit are absent from the result. Rater names compare ordinally.
    /// </remarks>
    /// <param name="unitVotes">For each unit (comparison), its votes as (rater, stored strength -2..2).</param>
    public static IReadOnlyDictionary<string, double> AgreementWithOthers(IReadOnlyList<IReadOnlyList<(string Rater, int Value)>> unitVotes)
    {
        ArgumentNullException.ThrowIfNull(unitVotes);
        var agreed = new Dictionary<string, int>(StringComparer.Ordinal);
        var counted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var unit in unitVotes)
        {
            ArgumentNullException.ThrowIfNull(unit, nameof(unitVotes));
            foreach (var (rater, value) in unit)
            {
                ArgumentNullException.ThrowIfNull(rater, nameof(unitVotes));
                var majority = MajorityDirection(unit.Where(o => !string.Equals(o.Rater, rater, StringComparison.Ordinal)));
                if (majority is null)
                    continue;
                counted[rater] = counted.GetValueOrDefault(rater) + 1;
                if (VoteStrength.Direction(value) == majority)
                    agreed[rater] = agreed.GetValueOrDefault(rater) + 1;
            }
        }
        return counted.ToDictionary(kv => kv.Key, kv => (double)agreed.GetValueOrDefault(kv.Key) / kv.Value, StringComparer.Ordinal);
    }

    /// <summary>The unique most common direction among the votes, or null when there are none or the top is tied.</summary>
    private static int? MajorityDirection(IEnumerable<(string Rater, int Value)> votes)
    {
        var counts = new int[3];
        foreach (var (_, value) in votes)
            counts[VoteStrength.Direction(value) + 1]++;
        var top = counts.Max();
        if (top == 0 || counts.Count(c => c == top) > 1)
            return null;
        return Array.IndexOf(counts, top) - 1;
    }
}
