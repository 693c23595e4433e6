using Microsoft.EntityFrameworkCore;
using Rlhf.Data;

namespace Rlhf.Bench.Load;

/// <summary>Checks a project's stored votes against the votes the server acknowledged (assignment id to vote id).</summary>
internal static class VoteIntegrityCheck
{
    public static async Task<VoteIntegrityReport> RunAsync(RlhfDbContext db, int projectId, IReadOnlyDictionary<long, long> acknowledged, CancellationToken ct)
    {
        var votes = await db.Votes.AsNoTracking().Where(v => v.ProjectId == projectId)
            .Select(v => new { v.Id, v.AssignmentId, v.ComparisonId, v.RaterId, Live = v.VoidedAtUtc == null })
            .ToListAsync(ct);
        var byId = votes.ToDictionary(v => v.Id);

        var lost = acknowledged.Count(a => !byId.TryGetValue(a.Value, out var v) || v.AssignmentId != a.Key || !v.Live);

        var duplicates = votes.GroupBy(v => v.AssignmentId).Sum(g => g.Count() - 1)
            + votes.Where(v => v.Live).GroupBy(v => (v.RaterId, v.ComparisonId)).Sum(g => g.Count() - 1)
            + acknowledged.GroupBy(a => a.Value).Sum(g => g.Count() - 1);

        var gold = (await db.GoldAnswers.AsNoTracking().Select(g => g.ComparisonId).ToListAsync(ct)).ToHashSet();
        var required = await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == projectId)
            .ToDictionaryAsync(c => c.Id, c => c.RequiredVotes, ct);
        var liveVotes = votes.Where(v => v.Live && !gold.Contains(v.ComparisonId)).GroupBy(v => v.ComparisonId)
            .ToDictionary(g => g.Key, g => g.Count());
        var overOverlap = liveVotes.Count(c => c.Value > required.GetValueOrDefault(c.Key));
        var complete = required.Count(c => !gold.Contains(c.Key) && liveVotes.GetValueOrDefault(c.Key) == c.Value);

        var acknowledgedIds = acknowledged.Values.ToHashSet();
        return new VoteIntegrityReport(acknowledged.Count, votes.Count, lost, duplicates, overOverlap,
            votes.Count(v => !acknowledgedIds.Contains(v.Id)), required.Count(c => !gold.Contains(c.Key)), complete);
    }
}
