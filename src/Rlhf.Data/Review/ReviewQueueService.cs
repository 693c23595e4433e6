using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Exchange;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Review;

/// <summary>
/// The researcher's review queue (as Label Studio's and Argilla's): a project's comparisons filtered by disagreement,
/// skips, flags or gold misses, searched in the prompt, a page at a time. The filters and the paging run in the
/// database, so a project of 200,000 comparisons reads one page of rows; only the page's votes and skips are loaded.
/// </summary>
public sealed class ReviewQueueService(IDbContextFactory<RlhfDbContext> contexts, RaterPseudonyms pseudonyms)
{
    /// <summary>
    /// A page of the project's comparisons under <paramref name="filter"/> whose prompt contains <paramref name="search"/>
    /// (any case), in comparison order, and how many there are in all. Raters are named by e-mail when
    /// <paramref name="showEmails"/> (admins), else by the project's pseudonyms (as the exports name them).
    /// </summary>
    public async Task<(IReadOnlyList<ReviewRow> Rows, int Total)> PageAsync(int projectId, ReviewFilter filter, string? search, int skip, int take,
        bool showEmails, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = Filtered(db, projectId, filter);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var needle = search.Trim().ToLower();
            query = query.Where(c => db.Prompts.Any(p => p.Id == c.PromptId && p.Text.ToLower().Contains(needle)));
        }
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(c => c.Id).Skip(skip).Take(take).AsNoTracking().ToListAsync(ct);
        if (page.Count == 0) return ([], total);

        var ids = page.Select(c => c.Id).ToList();
        var promptIds = page.Select(c => c.PromptId).Distinct().ToList();
        var responseIds = page.SelectMany(c => new[] { c.ResponseAId, c.ResponseBId }).Distinct().ToList();
        var prompts = await db.Prompts.AsNoTracking().Where(p => promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Text, ct);
        var responses = await db.Responses.AsNoTracking().Where(r => responseIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Text, ct);
        var votes = await db.Votes.AsNoTracking().Counted().Where(v => ids.Contains(v.ComparisonId)).OrderBy(v => v.Id).ToListAsync(ct);
        var skips = await db.Assignments.AsNoTracking().Where(a => a.ComparisonId != null && ids.Contains(a.ComparisonId.Value) && a.Status == AssignmentStatus.Skipped)
            .OrderBy(a => a.Id).ToListAsync(ct);
        var gold = await db.GoldAnswers.AsNoTracking().Where(g => ids.Contains(g.ComparisonId)).ToDictionaryAsync(g => g.ComparisonId, ct);
        var raterIds = votes.Select(v => v.RaterId).Concat(skips.Select(s => s.RaterId)).Distinct().ToList();
        var emails = showEmails ? await db.Users.AsNoTracking().Where(u => raterIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id, ct) : [];
        string Name(string raterId) => showEmails ? emails.GetValueOrDefault(raterId, raterId) : pseudonyms.For(projectId, raterId);

        var rows = page.Select(c =>
        {
            var g = gold.GetValueOrDefault(c.Id);
            return new ReviewRow(c.Id, prompts[c.PromptId], responses[c.ResponseAId], responses[c.ResponseBId], c.RequiredVotes,
                votes.Where(v => v.ComparisonId == c.Id).Select(v => new ReviewVote(Name(v.RaterId), v.Strength, v.BothBad, v.Rationale, v.SubmittedAtUtc,
                    v.SecondsOnTask, g is not null && !GoldGrading.IsCorrect(g.Side, g.MinimumStrength, v.Strength))).ToList(),
                skips.Where(s => s.ComparisonId == c.Id).Select(s => new ReviewSkip(Name(s.RaterId), SkipReasons.KindOf(s.SkipReason), s.SkipReason ?? "", s.FinishedAtUtc)).ToList(),
                g?.Side);
        }).ToList();
        return (rows, total);
    }

    /// <summary>The project's comparisons under the filter, as one SQL query.</summary>
    private static IQueryable<Comparison> Filtered(RlhfDbContext db, int projectId, ReviewFilter filter)
    {
        var comparisons = db.Comparisons.Where(c => c.ProjectId == projectId);
        var counted = db.Votes.Counted();
        var skipped = db.Assignments.Where(a => a.Status == AssignmentStatus.Skipped);
        var (unsafeKind, personal, broken) = (SkipReasons.Unsafe, SkipReasons.PersonalData, SkipReasons.Broken);
        return filter switch
        {
            ReviewFilter.Rated => comparisons.Where(c => counted.Any(v => v.ComparisonId == c.Id) || skipped.Any(a => a.ComparisonId == c.Id)),
            // Votes in at least two of the three directions (A, tie, B).
            ReviewFilter.Disagreement => comparisons.Where(c =>
                (counted.Any(v => v.ComparisonId == c.Id && v.Strength < 0) ? 1 : 0)
                + (counted.Any(v => v.ComparisonId == c.Id && v.Strength == 0) ? 1 : 0)
                + (counted.Any(v => v.ComparisonId == c.Id && v.Strength > 0) ? 1 : 0) >= 2),
            ReviewFilter.Skipped => comparisons.Where(c => skipped.Any(a => a.ComparisonId == c.Id)),
            // A stored reason is the kind, or "kind: the rater's words".
            ReviewFilter.Flagged => comparisons.Where(c => skipped.Any(a => a.ComparisonId == c.Id && a.SkipReason != null
                && (a.SkipReason == unsafeKind || a.SkipReason.StartsWith(unsafeKind + ":")
                    || a.SkipReason == personal || a.SkipReason.StartsWith(personal + ":")
                    || a.SkipReason == broken || a.SkipReason.StartsWith(broken + ":")))),
            // GoldGrading.IsCorrect, negated, in SQL.
            ReviewFilter.GoldMisses => comparisons.Where(c => db.GoldAnswers.Any(g => g.ComparisonId == c.Id
                && counted.Any(v => v.ComparisonId == c.Id && !(g.Side == GoldSide.A ? v.Strength <= -g.MinimumStrength : v.Strength >= g.MinimumStrength)))),
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown review filter."),
        };
    }
}
