using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Exchange;

/// <summary>
/// Reads a project's comparisons and their votes and applies <see cref="PreferenceSelection"/> to each: the one path
/// from a project to preference pairs, used by the TRL export and by reward runs trained on a project. Void votes
/// never count; the imported pseudo-rater's do. Page by page (flat memory), in comparison id order.
/// </summary>
public sealed class ProjectPreferenceReader
{
    private const int PageSize = 500;
    private readonly RlhfDbContext db;
    private readonly int projectId;

    private ProjectPreferenceReader(RlhfDbContext db, int projectId, PreferencePolicy policy, IReadOnlySet<string> excluded) =>
        (this.db, this.projectId, Policy, ExcludedRaters) = (db, projectId, policy, excluded);

    public PreferencePolicy Policy { get; }

    /// <summary>The raters whose votes are left out: the project's flagged raters when the policy excludes them, else none.</summary>
    public IReadOnlySet<string> ExcludedRaters { get; }

    /// <summary>Checks the policy and the project and finds the flagged raters; reads nothing else yet.</summary>
    /// <exception cref="ArgumentException">The policy is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    public static async Task<ProjectPreferenceReader> OpenAsync(RlhfDbContext db, int projectId, PreferencePolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(policy));
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct)
            ?? throw new KeyNotFoundException($"Project {projectId} does not exist.");
        var excluded = policy.ExcludeFlaggedRaters ? await FlaggedRatersAsync(db, project, ct) : [];
        return new ProjectPreferenceReader(db, projectId, policy, excluded);
    }

    /// <summary>Every comparison of the project in id order, with its selection; pairs come with their texts.</summary>
    public async IAsyncEnumerable<SelectedComparison> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        long last = 0;
        while (true)
        {
            var page = await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == projectId && c.Id > last)
                .OrderBy(c => c.Id).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) yield break;
            last = page[^1].Id;
            var ids = page.Select(c => c.Id).ToList();
            var gold = (await db.GoldAnswers.AsNoTracking().Where(g => ids.Contains(g.ComparisonId)).Select(g => g.ComparisonId).ToListAsync(ct)).ToHashSet();
            var votes = (await db.Votes.AsNoTracking().Counted().Where(v => ids.Contains(v.ComparisonId))
                    .OrderBy(v => v.ComparisonId).ThenBy(v => v.Id).Select(v => new { v.ComparisonId, v.RaterId, v.Strength }).ToListAsync(ct))
                .ToLookup(v => v.ComparisonId, v => new PreferenceVote(v.RaterId, v.Strength));
            var selections = page.Select(c => (Comparison: c, Selection: PreferenceSelection.Select(votes[c.Id], gold.Contains(c.Id), ExcludedRaters, Policy))).ToList();

            var pairs = selections.Where(s => s.Selection.IsPair).Select(s => s.Comparison).ToList();
            var promptIds = pairs.Select(c => c.PromptId).Distinct().ToList();
            var responseIds = pairs.SelectMany(c => new[] { c.ResponseAId, c.ResponseBId }).Distinct().ToList();
            var prompts = pairs.Count == 0 ? [] : await db.Prompts.AsNoTracking().Where(p => promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            var texts = pairs.Count == 0 ? [] : await db.Responses.AsNoTracking().Where(r => responseIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Text, ct);
            foreach (var (c, selection) in selections)
            {
                PreferenceTexts? pair = null;
                if (selection.IsPair)
                {
                    var (chosen, rejected) = selection.AChosen ? (c.ResponseAId, c.ResponseBId) : (c.ResponseBId, c.ResponseAId);
                    pair = new PreferenceTexts(prompts[c.PromptId], texts[chosen], texts[rejected]);
                }
                yield return new SelectedComparison(c, selection, pair);
            }
        }
    }

    /// <summary>Raters the project's gold settings flag (as on the project dashboard): accuracy below the minimum over enough gold.</summary>
    public static async Task<HashSet<string>> FlaggedRatersAsync(RlhfDbContext db, Project project, CancellationToken ct)
    {
        var graded = await db.Votes.AsNoTracking()
            .Counted().Where(v => v.ProjectId == project.Id)
            .Join(db.GoldAnswers, v => v.ComparisonId, g => g.ComparisonId, (v, g) => new { v.RaterId, v.Strength, g.Side, g.MinimumStrength })
            .ToListAsync(ct);
        return graded.GroupBy(g => g.RaterId)
            .Where(g => RaterQuality.IsFlagged(
                new RaterGoldStats(g.Count(), g.Count(x => GoldGrading.IsCorrect(x.Side, x.MinimumStrength, x.Strength))),
                project.GoldMinimumAccuracy, project.GoldMinimumAnswers))
            .Select(g => g.Key).ToHashSet();
    }
}
