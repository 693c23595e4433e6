using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>
/// Two site instances on one database, each with its own write gate: the rating rules must hold between them through
/// the database alone (SQLite's write lock; PostgreSQL's advisory lock in the serial write transaction).
/// </summary>
public class CrossInstanceRatingTests
{
    [Fact]
    public async Task Raters_split_over_two_instances_never_push_a_comparison_past_k()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        const int comparisons = 5, k = 2, raters = 24;
        var (_, poolId, comparisonIds) = await RatingFixture.ProjectAsync(database, comparisons, k);
        var raterIds = await RatingFixture.RatersAsync(database, poolId, raters);
        await using var other = database.AnotherInstance();
        var instances = new[] { RatingFixture.Service(database), other.GetRequiredService<RatingService>() };

        // Every rater asks at once, half through each instance, and votes on what they get.
        var results = await Task.WhenAll(raterIds.Select((rater, i) => Task.Run(async () =>
        {
            var rating = instances[i % 2];
            var task = await rating.NextAsync(rater);
            if (task is null) return (Task: (RatingTask?)null, Outcome: (RatingOutcome?)null);
            var result = await rating.SubmitAsync(rater, task.AssignmentId, 1, false, null);
            return (Task: task, Outcome: result.Outcome);
        })));

        // Room for exactly k raters per comparison: that many were given one, the rest nothing, and every vote counted.
        Assert.Equal(comparisons * k, results.Count(r => r.Task is not null));
        Assert.All(results.Where(r => r.Task is not null), r => Assert.Equal(RatingOutcome.Stored, r.Outcome));
        await using var db = await RatingFixture.ContextAsync(database);
        var votes = await db.Votes.Counted().GroupBy(v => v.ComparisonId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal(comparisonIds.Order(), votes.Select(v => v.Key).Order());
        Assert.All(votes, v => Assert.Equal(k, v.Count));
        Assert.Equal(comparisons * k, await db.Assignments.CountAsync());
    }
}
