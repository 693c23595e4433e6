using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Rating;
using Rlhf.Data.Exchange;
using Rlhf.Data.Review;
using Rlhf.Data.Tests.Exchange;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Review;

/// <summary>
/// The researcher's review queue on hand-made votes and skips: each filter finds exactly the comparisons it names,
/// paging and prompt search run with it, and each row carries its votes (gold misses marked) and skips.
/// </summary>
public class ReviewQueueServiceTests
{
    [Fact]
    public async Task Each_filter_finds_exactly_its_comparisons_with_paging_search_and_the_rows_votes_and_skips()
    {
        await using var f = await ExchangeFixture.CreateAsync(k: 3);
        Assert.True((await f.ImportAsync(ExchangeFixture.Jsonl(Enumerable.Range(0, 8)
            .Select(i => (object)new { prompt = $"P{i} question", responses = new[] { $"A{i}", $"B{i}" } }).ToArray()))).Committed);
        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 4);
        var (x, y, z, w) = (raters[0], raters[1], raters[2], raters[3]);
        List<long> c;
        await using (var db = await f.DbAsync())
        {
            c = await db.Comparisons.OrderBy(x => x.Id).Select(x => x.Id).ToListAsync();
            db.GoldAnswers.Add(new GoldAnswer { ComparisonId = c[3], Side = GoldSide.A, MinimumStrength = 1, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await f.AddVoteAsync(c[0], y, -1); await f.AddVoteAsync(c[0], z, -1); await f.AddVoteAsync(c[0], w, 1, rationale: "B is shorter");
        await f.AddVoteAsync(c[1], y, -1); await f.AddVoteAsync(c[1], z, 0);
        await f.AddVoteAsync(c[2], y, -2); await f.AddVoteAsync(c[2], z, -1);                       // unanimous
        await f.AddVoteAsync(c[3], x, 1); await f.AddVoteAsync(c[3], y, -1); await f.AddVoteAsync(c[3], z, -1);  // x misses gold A
        await f.AddVoteAsync(c[4], y, 1, voided: true); await f.AddVoteAsync(c[4], z, -1);          // the void vote does not count
        // Two skips through the rating path: one flags the content, one is the rater's own limit.
        var rating = f.Rating;
        var flaggedTask = (await rating.NextAsync(w))!;
        Assert.True((await rating.SkipAsync(w, flaggedTask.AssignmentId, SkipReasons.Compose(SkipReasons.PersonalData, "a phone number"))).Succeeded);
        // x skips twice as "can't judge": at least one of those comparisons has no flag at all.
        var limitTasks = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            var task = (await rating.NextAsync(x))!;
            Assert.True((await rating.SkipAsync(x, task.AssignmentId, SkipReasons.CannotJudge)).Succeeded);
            limitTasks.Add(task.AssignmentId);
        }
        long flagged;
        List<long> limits;
        await using (var db = await f.DbAsync())
        {
            flagged = (await db.Assignments.SingleAsync(a => a.Id == flaggedTask.AssignmentId)).ComparisonId!.Value;
            limits = await db.Assignments.Where(a => limitTasks.Contains(a.Id)).Select(a => a.ComparisonId!.Value).ToListAsync();
        }
        Assert.Contains(limits, l => l != flagged);

        var queue = f.Database.Services.GetRequiredService<ReviewQueueService>();
        async Task<List<long>> IdsAsync(ReviewFilter filter, string? search = null) =>
            (await queue.PageAsync(f.ProjectId, filter, search, 0, 100, showEmails: false)).Rows.Select(r => r.ComparisonId).ToList();

        Assert.Equal([c[0], c[1], c[3]], await IdsAsync(ReviewFilter.Disagreement));
        Assert.Equal([c[3]], await IdsAsync(ReviewFilter.GoldMisses));
        Assert.Equal(limits.Append(flagged).Distinct().Order(), await IdsAsync(ReviewFilter.Skipped));
        Assert.Equal([flagged], await IdsAsync(ReviewFilter.Flagged));
        Assert.Equal(new[] { c[0], c[1], c[2], c[3], c[4], flagged }.Concat(limits).Distinct().Order(), await IdsAsync(ReviewFilter.Rated));
        Assert.Equal([c[3]], await IdsAsync(ReviewFilter.Disagreement, "p3 QUESTION"));

        var (page, total) = await queue.PageAsync(f.ProjectId, ReviewFilter.Disagreement, null, 1, 1, showEmails: false);
        Assert.Equal(3, total);
        var row = Assert.Single(page);
        Assert.Equal((c[1], "P1 question", "A1", "B1"), (row.ComparisonId, row.Prompt, row.ResponseA, row.ResponseB));
        Assert.Equal(-0.5, row.MeanStrength);

        var pseudonyms = f.Database.Services.GetRequiredService<RaterPseudonyms>();
        var gold = Assert.Single((await queue.PageAsync(f.ProjectId, ReviewFilter.GoldMisses, null, 0, 10, showEmails: false)).Rows);
        Assert.Equal(GoldSide.A, gold.Gold);
        Assert.Equal([(pseudonyms.For(f.ProjectId, x), true), (pseudonyms.For(f.ProjectId, y), false), (pseudonyms.For(f.ProjectId, z), false)],
            gold.Votes.Select(v => (v.Rater, v.GoldMiss)));
        // The flagged comparison's skips: w's flag (x may have skipped the same comparison as "can't judge").
        var skip = Assert.Single(Assert.Single((await queue.PageAsync(f.ProjectId, ReviewFilter.Flagged, null, 0, 10, showEmails: true)).Rows).Skips,
            s => s.Kind != SkipReasons.CannotJudge);
        await using (var db = await f.DbAsync())
            Assert.Equal((await db.Users.SingleAsync(u => u.Id == w)).Email, skip.Rater);   // admins see e-mails
        Assert.Equal((SkipReasons.PersonalData, "Personal data (PII): a phone number"), (skip.Kind, skip.Reason));
    }
}
