using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Statistics;

/// <summary>
/// What human votes say about models: head-to-head win rates within a project, and a leaderboard of every model by
/// Bradley-Terry strength from every vote that compared two of them, with bootstrap intervals (as Chatbot Arena does).
/// </summary>
public sealed class ModelComparisonService(IDbContextFactory<RlhfDbContext> contexts)
{
    private sealed record Outcome(int ModelA, int ModelB, int Strength);

    private static async Task<List<Outcome>> OutcomesAsync(RlhfDbContext db, int? projectId, CancellationToken ct)
    {
        var votes = db.Votes.AsNoTracking().Counted();
        if (projectId is { } p) votes = votes.Where(v => v.ProjectId == p);
        var rows = await votes
            .Join(db.Comparisons, v => v.ComparisonId, c => c.Id, (v, c) => new { v.Strength, c.ResponseAId, c.ResponseBId })
            .Select(x => new
            {
                x.Strength,
                A = db.Responses.Where(r => r.Id == x.ResponseAId).Select(r => r.ModelId).Single(),
                B = db.Responses.Where(r => r.Id == x.ResponseBId).Select(r => r.ModelId).Single(),
            })
            .Where(x => x.A != null && x.B != null && x.A != x.B)
            .ToListAsync(ct);
        return rows.Select(r => new Outcome(r.A!.Value, r.B!.Value, r.Strength)).ToList();
    }

    /// <summary>Every pair of models compared in the project, the lower id first.</summary>
    public async Task<IReadOnlyList<HeadToHead>> HeadToHeadAsync(int projectId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var outcomes = await OutcomesAsync(db, projectId, ct);
        var names = await db.Models.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        return outcomes
            .GroupBy(o => (First: Math.Min(o.ModelA, o.ModelB), Second: Math.Max(o.ModelA, o.ModelB)))
            .Select(g =>
            {
                int wins = 0, losses = 0, ties = 0;
                foreach (var o in g)
                {
                    if (o.Strength == 0) { ties++; continue; }
                    var winner = o.Strength < 0 ? o.ModelA : o.ModelB;
                    if (winner == g.Key.First) wins++; else losses++;
                }
                return new HeadToHead(g.Key.First, names[g.Key.First], g.Key.Second, names[g.Key.Second], new WinRate(wins, losses, ties));
            })
            .OrderBy(h => h.FirstId).ThenBy(h => h.SecondId).ToList();
    }

    /// <summary>The leaderboard: models ranked by Bradley-Terry strength (ties left out), with percentile bootstrap 95% intervals.</summary>
    public async Task<IReadOnlyList<ModelStanding>> LeaderboardAsync(int bootstrap = 200, int seed = 7, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var outcomes = (await OutcomesAsync(db, null, ct)).Where(o => o.Strength != 0)
            .Select(o => o.Strength < 0 ? (Winner: o.ModelA.ToString(), Loser: o.ModelB.ToString()) : (Winner: o.ModelB.ToString(), Loser: o.ModelA.ToString()))
            .ToList();
        if (outcomes.Count == 0) return [];
        var names = await db.Models.AsNoTracking().ToDictionaryAsync(m => m.Id.ToString(), m => m.Name, ct);
        var fit = BradleyTerry.Fit(outcomes);
        var random = new Random(seed);
        var samples = fit.Keys.ToDictionary(k => k, _ => new List<double>());
        for (var b = 0; b < bootstrap; b++)
        {
            var resample = Enumerable.Range(0, outcomes.Count).Select(_ => outcomes[random.Next(outcomes.Count)]).ToList();
            var f = BradleyTerry.Fit(resample);
            foreach (var k in fit.Keys) if (f.TryGetValue(k, out var s)) samples[k].Add(s);
        }
        var votes = fit.Keys.ToDictionary(k => k, k => outcomes.Count(o => o.Winner == k || o.Loser == k));
        var wins = fit.Keys.ToDictionary(k => k, k => outcomes.Count(o => o.Winner == k));
        return fit.Select(kv =>
            {
                var sorted = samples[kv.Key].Order().ToList();
                double Pct(double q) => sorted.Count == 0 ? kv.Value : sorted[(int)Math.Clamp(Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
                return new ModelStanding(int.Parse(kv.Key), names.GetValueOrDefault(kv.Key, kv.Key), kv.Value, Pct(0.025), Pct(0.975), votes[kv.Key], wins[kv.Key]);
            })
            .OrderByDescending(s => s.Strength).ToList();
    }
}
