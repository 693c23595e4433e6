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

    [Fact]
    public async Task Ids_one_instance_read_ahead_and_the_other_leased_are_dropped_and_every_comparison_is_leased_once()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        const int comparisons = 20;
        var (_, poolId, comparisonIds) = await RatingFixture.ProjectAsync(database, comparisons, k: 1);
        var raterIds = await RatingFixture.RatersAsync(database, poolId, comparisons + 1);
        await using var other = database.AnotherInstance();
        var (first, second) = (RatingFixture.Service(database), other.GetRequiredService<RatingService>());

        // The first instance reads the project ahead and leases the lowest comparison; the second then leases the next
        // ten, so most of what the first read ahead is stale. One after another, as a queue of raters would.
        var given = new List<RatingTask?> { await first.NextAsync(raterIds[0]) };
        foreach (var rater in raterIds.Skip(1).Take(10)) given.Add(await second.NextAsync(rater));
        foreach (var rater in raterIds.Skip(11).Take(comparisons - 11)) given.Add(await first.NextAsync(rater));

        // k = 1: every rater got one, each comparison was given exactly once, and nothing is left for one more rater.
        Assert.All(given, Assert.NotNull);
        Assert.Null(await first.NextAsync(raterIds[^1]));
        Assert.Null(await second.NextAsync(raterIds[^1]));
        await using var db = await RatingFixture.ContextAsync(database);
        var leased = await db.Assignments.Select(a => a.ComparisonId!.Value).ToListAsync();
        Assert.Equal(comparisonIds.Order(), leased.Order());
        Assert.Equal(comparisons, await db.Assignments.CountAsync());
    }
}
