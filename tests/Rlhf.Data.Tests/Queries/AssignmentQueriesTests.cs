using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Data.Queries;
using Rlhf.Data.Rating;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Queries;

/// <summary>
/// The lease filters run as SQL on a real SQLite file and must pick exactly the rows the Core rule
/// (<see cref="Assignment.IsOpen"/>) picks in memory: every status against a lease that ran out before, at and after now.
/// </summary>
public class AssignmentQueriesTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan[] LeaseEnds = [TimeSpan.FromMinutes(-1), TimeSpan.FromTicks(-1), TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1)];

    [Fact]
    public Task Live_leases_are_exactly_the_assignments_that_are_open() =>
        AssertPicksAsync(q => q.LiveLeases(Now), a => a.IsOpen(Now));

    [Fact]
    public Task Run_out_leases_are_the_leased_assignments_that_are_not_open() =>
        AssertPicksAsync(q => q.RunOutLeases(Now), a => a.Status == AssignmentStatus.Leased && !a.IsOpen(Now));

    [Fact]
    public Task Held_assignments_are_the_answered_the_skipped_and_the_open() =>
        AssertPicksAsync(q => q.Held(Now), a => a.Status is AssignmentStatus.Submitted or AssignmentStatus.Skipped || a.IsOpen(Now));

    [Fact]
    public Task Not_released_is_every_assignment_but_one_whose_vote_was_undone() =>
        AssertPicksAsync(q => q.NotReleased(), a => a.Status != AssignmentStatus.Released);

    [Fact]
    public async Task Live_leases_compose_inside_a_projection_as_a_subquery()
    {
        var (database, stored) = await EveryCaseAsync();
        await using (database)
        {
            await using var db = await ContextAsync(database);
            var counts = await db.Comparisons.Select(c => db.Assignments.LiveLeases(Now).Count(a => a.ComparisonId == c.Id)).ToListAsync();
            Assert.Equal(stored.Count(a => a.IsOpen(Now)), counts.Sum());
        }
    }

    [Fact]
    public async Task The_hand_outs_compiled_reads_see_live_leases_and_held_comparisons_as_the_rules_do()
    {
        var (database, stored) = await EveryCaseAsync();
        await using (database)
        {
            await using var db = await ContextAsync(database);
            var (comparisonId, rater) = (stored[0].ComparisonId!.Value, stored[0].RaterId);
            var open = stored.Where(a => a.IsOpen(Now)).OrderBy(a => a.Id).ToList();

            var pick = (await RatingQueries.PickAsync(db, comparisonId, rater, Now, default))!;
            Assert.Equal(open.Count, pick.Leases);
            Assert.True(pick.Theirs);
            Assert.Equal(open[0].Id, pick.RatersLiveId);
            Assert.False((await RatingQueries.PickAsync(db, comparisonId, "someone-else", Now, default))!.Theirs);
            Assert.Equal(open[0].Id, (await RatingQueries.RaterAsync(db, rater, Now, default))!.LiveId);

            // Only released ones left: none held, none live.
            await db.Assignments.ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AssignmentStatus.Released));
            pick = (await RatingQueries.PickAsync(db, comparisonId, rater, Now, default))!;
            Assert.Equal((false, 0, null), (pick.Theirs, pick.Leases, pick.RatersLiveId));
            Assert.Null((await RatingQueries.RaterAsync(db, rater, Now, default))!.LiveId);
        }
    }

    /// <summary>The filter, run as SQL over every case, picks the same assignments as the rule in memory.</summary>
    private static async Task AssertPicksAsync(Func<IQueryable<Assignment>, IQueryable<Assignment>> filter, Func<Assignment, bool> rule)
    {
        var (database, stored) = await EveryCaseAsync();
        await using (database)
        {
            await using var db = await ContextAsync(database);
            var picked = await filter(db.Assignments).Select(a => a.Id).ToListAsync();
            Assert.Equal(stored.Where(rule).Select(a => a.Id).Order(), picked.Order());
        }
    }

    /// <summary>One assignment for every status and lease end, all on one comparison and rater, as stored and read back.</summary>
    private static async Task<(TestDatabase Database, List<Assignment> Stored)> EveryCaseAsync()
    {
        var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        await using var db = await ContextAsync(database);
        foreach (var status in Enum.GetValues<AssignmentStatus>())
            foreach (var end in LeaseEnds)
                db.Assignments.Add(new Assignment
                {
                    ProjectId = projectId, ComparisonId = comparisons[0], RaterId = rater, Status = status,
                    StartedAtUtc = Now.AddMinutes(-15), LeaseExpiresAtUtc = Now + end,
                });
        await db.SaveChangesAsync();
        return (database, await db.Assignments.AsNoTracking().ToListAsync());
    }

    private static async Task<RlhfDbContext> ContextAsync(TestDatabase db) =>
        await db.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
}
