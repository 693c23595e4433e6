using System.Collections.Concurrent;

namespace Rlhf.Data.Rating;

/// <summary>
/// Per project, the lowest comparison id that had neither a vote nor a live lease when last looked at: every comparison
/// below it has been worked on. The hand-out looks for untouched comparisons from here on instead of counting the
/// votes and leases of the whole project on every call. A comparison below the mark that becomes untouched again (its
/// lease ran out, its vote was voided) is handed out by the full draw once no untouched comparison is left above it.
/// </summary>
public sealed class FreshComparisonHint
{
    private readonly ConcurrentDictionary<int, long> lowest = new();

    public long From(int projectId) => lowest.GetValueOrDefault(projectId);

    public void Advance(int projectId, long comparisonId) =>
        lowest.AddOrUpdate(projectId, comparisonId, (_, old) => Math.Max(old, comparisonId));

    /// <summary>A comparison became untouched again (its only vote was undone): look from it on, so it is handed out next.</summary>
    public void Retreat(int projectId, long comparisonId) =>
        lowest.AddOrUpdate(projectId, 0, (_, old) => Math.Min(old, comparisonId));
}
