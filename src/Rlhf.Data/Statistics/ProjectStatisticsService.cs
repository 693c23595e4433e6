using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Statistics;

/// <summary>Reads votes and computes the project dashboard and per-rater statistics with the pure functions of Rlhf.Core.</summary>
public sealed class ProjectStatisticsService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    /// <summary>The most skips a dashboard lists one by one (it counts them all).</summary>
    public const int SkipRowsShown = 500;

    public async Task<ProjectDashboard?> DashboardAsync(int projectId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null) return null;
        var now = clock.GetUtcNow().UtcDateTime;

        var comparisons = await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == projectId)
            .Select(c => new
            {
                c.Id, c.RequiredVotes,
                LengthA = db.Responses.Where(r => r.Id == c.ResponseAId).Select(r => r.Text.Length).Single(),
                LengthB = db.Responses.Where(r => r.Id == c.ResponseBId).Select(r => r.Text.Length).Single(),
            }).ToDictionaryAsync(c => c.Id, ct);
        var votes = await db.Votes.AsNoTracking().Counted().Where(v => v.ProjectId == projectId)
            .OrderBy(v => v.SubmittedAtUtc).ThenBy(v => v.Id).ToListAsync(ct);
        // Joins, not Contains(list): EF Core 10 sends a list as one SQL parameter per id, and SQLite allows 32,766.
        var gold = await db.GoldAnswers.AsNoTracking()
            .Join(db.Comparisons.Where(c => c.ProjectId == projectId), g => g.ComparisonId, c => c.Id, (g, _) => g)
            .ToDictionaryAsync(g => g.ComparisonId, ct);
        var skips = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped)
            .GroupBy(a => a.RaterId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var openLeases = await db.Assignments.LiveLeases(now).CountAsync(a => a.ProjectId == projectId, ct);
        var raterIds = votes.Select(v => v.RaterId).Concat(skips.Keys).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => db.Assignments.Any(a => a.ProjectId == projectId && a.RaterId == u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id, ct);

        var byComparison = votes.GroupBy(v => v.ComparisonId).ToDictionary(g => g.Key, g => g.ToList());
        var complete = comparisons.Values.Count(c => byComparison.TryGetValue(c.Id, out var vs) && vs.Count >= c.RequiredVotes);

        // Agreement on comparisons that are not gold (gold measures raters, not the data).
        var units = byComparison.Where(kv => !gold.ContainsKey(kv.Key) && kv.Value.Count >= 2).Select(kv => kv.Value).ToList();
        var directions = units.Select(u => (IReadOnlyList<int>)u.Select(v => Math.Sign(v.Strength)).ToList()).ToList();
        var strengths = units.Select(u => (IReadOnlyList<int>)u.Select(v => v.Strength).ToList()).ToList();
        var fleissUnits = units.Where(u => u.Count >= project.Overlap)
            .Select(u => (IReadOnlyList<int>)new[] { -1, 0, 1 }.Select(d => u.Take(project.Overlap).Count(v => Math.Sign(v.Strength) == d)).ToList())
            .ToList();
        var percent = directions.Count == 0 ? double.NaN : AgreementStatistics.PercentAgreement(directions);
        var fleiss = fleissUnits.Count == 0 ? double.NaN : AgreementStatistics.FleissKappa(fleissUnits);
        var alpha = strengths.Count == 0 ? double.NaN : AgreementStatistics.KrippendorffAlpha(strengths, AlphaMetric.Ordinal);
        var withOthers = AgreementStatistics.AgreementWithOthers(
            units.Select(u => (IReadOnlyList<(string, int)>)u.Select(v => (v.RaterId, v.Strength)).ToList()).ToList());

        var votesByRater = votes.ToLookup(v => v.RaterId);
        var raters = raterIds.Select(id =>
        {
            var mine = votesByRater[id].ToList();
            var seconds = mine.Select(v => v.SecondsOnTask).Order().ToList();
            var goldVotes = mine.Where(v => gold.ContainsKey(v.ComparisonId)).ToList();
            var goldStats = new RaterGoldStats(goldVotes.Count,
                goldVotes.Count(v => GoldGrading.IsCorrect(gold[v.ComparisonId].Side, gold[v.ComparisonId].MinimumStrength, v.Strength)));
            var sides = mine.Select(v => new BiasStatistics.VoteSides(v.Strength, v.AShownLeft,
                comparisons[v.ComparisonId].LengthA, comparisons[v.ComparisonId].LengthB)).ToList();
            var position = BiasStatistics.Position(sides);
            var length = BiasStatistics.Length(sides);
            return new RaterStatsRow(id, emails.GetValueOrDefault(id, id), mine.Count, skips.GetValueOrDefault(id),
                seconds.Count == 0 ? null : Median(seconds), goldStats.Answered, goldStats.Accuracy,
                RaterQuality.IsFlagged(goldStats, project.GoldMinimumAccuracy, project.GoldMinimumAnswers),
                withOthers.TryGetValue(id, out var a) ? a : null,
                position.Share, position.PValue, length.Share, length.PValue);
        }).OrderByDescending(r => r.Votes).ToList();

        var since = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(-23);
        var perHour = Enumerable.Range(0, 24).Select(h => since.AddHours(h))
            .Select(h => (h, votes.Count(v => v.SubmittedAtUtc >= h && v.SubmittedAtUtc < h.AddHours(1)))).ToList();

        var skipped = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped)
            .Select(a => new { a.Id, a.ComparisonId, a.RaterId, a.SkipReason, a.FinishedAtUtc }).ToListAsync(ct);
        var skipRows = skipped.OrderByDescending(a => a.FinishedAtUtc).ThenByDescending(a => a.Id).Take(SkipRowsShown)
            .Select(a => new SkipRow(a.Id, a.ComparisonId ?? 0, a.RaterId, emails.GetValueOrDefault(a.RaterId, a.RaterId), SkipReasons.KindOf(a.SkipReason),
                a.SkipReason ?? "", a.FinishedAtUtc ?? now)).ToList();
        var skipKinds = skipped.GroupBy(a => SkipReasons.KindOf(a.SkipReason)).Select(g => (g.Key, g.Count()))
            .OrderByDescending(k => k.Item2).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();

        return new ProjectDashboard(comparisons.Count, complete, votes.Count, skips.Values.Sum(), openLeases,
            percent, fleiss, alpha, perHour, raters) { SkipRows = skipRows, SkipKinds = skipKinds, VotesWanted = comparisons.Values.Sum(c => c.RequiredVotes) };
    }

    /// <summary>The rater's own row in every project they rated in, with the project's name.</summary>
    public async Task<IReadOnlyList<(int ProjectId, string ProjectName, RaterStatsRow Row)>> MyStatsAsync(string raterId, CancellationToken ct = default)
    {
        List<(int, string)> projects;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            projects = (await db.Projects.AsNoTracking()
                .Where(p => db.Assignments.Any(a => a.ProjectId == p.Id && a.RaterId == raterId))
                .Select(p => new { p.Id, p.Name }).ToListAsync(ct)).Select(p => (p.Id, p.Name)).ToList();
        }
        var rows = new List<(int, string, RaterStatsRow)>();
        foreach (var (id, name) in projects)
            if ((await DashboardAsync(id, ct))?.Raters.FirstOrDefault(r => r.RaterId == raterId) is { } row)
                rows.Add((id, name, row));
        return rows;
    }

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
