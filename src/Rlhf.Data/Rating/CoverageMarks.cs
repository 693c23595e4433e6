using System.Collections.Concurrent;

namespace Rlhf.Data.Rating;

/// <summary>
/// Per project and coverage level L ≥ 1 (counted votes plus live leases), the lowest comparison id that was covered at
/// most L times when last looked at: every comparison below it had more. Past the first pass of a campaign (the
/// untouched comparisons, <see cref="FreshComparisonHint"/>) the hand-out reads the neediest comparisons from these
/// marks on, level by level, instead of counting the votes and leases of the whole project on every call. A comparison
/// below a mark whose coverage falls again (its lease ran out, a vote was voided) is found from a lower level's mark, or
/// by the full draw once no level has anything left above its mark.
/// </summary>
public sealed class CoverageMarks
{
    private readonly ConcurrentDictionary<(int ProjectId, int Level), long> marks = new();

    public long From(int projectId, int level) => marks.GetValueOrDefault((projectId, level));

    /// <summary>A read from <see cref="From"/> found nothing covered at most <paramref name="level"/> times below <paramref name="comparisonId"/>.</summary>
    public void Advance(int projectId, int level, long comparisonId) =>
        marks.AddOrUpdate((projectId, level), comparisonId, (_, old) => Math.Max(old, comparisonId));
}
