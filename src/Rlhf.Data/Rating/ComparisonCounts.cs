using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Database;

namespace Rlhf.Data.Rating;

/// <summary>
/// How many comparisons each project has to rate (the N of the rating page's "x of N"), counted at most once per
/// <see cref="Lifetime"/> per project and process. Counting reads every comparison row of the project (10,000 in
/// `bench load`), and doing it on every hand-out cost 13 % of the site's CPU a vote (6.5 against 5.7 ms, interleaved
/// runs, BENCHMARKS.md); N changes only when pairs are added or a comparison is taken out, so a count a few seconds
/// old is what a rater would see anyway between two hand-outs.
/// </summary>
public sealed class ComparisonCounts(TimeProvider clock)
{
    /// <summary>How long a count is served before it is read again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<int, (int Count, DateTime ReadAtUtc)> counts = new();

    /// <summary>The project's comparisons still asking for votes (RequiredVotes above 0), at most <see cref="Lifetime"/> old.</summary>
    public async Task<int> InProjectAsync(RlhfDbContext db, int projectId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (counts.TryGetValue(projectId, out var known) && now - known.ReadAtUtc < Lifetime) return known.Count;
        var count = await db.Comparisons.CountAsync(c => c.ProjectId == projectId && c.RequiredVotes > 0, ct);
        counts[projectId] = (count, now);
        return count;
    }
}
