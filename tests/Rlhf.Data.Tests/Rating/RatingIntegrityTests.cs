using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Identity;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>One counted vote per rater and comparison; locked raters and paused projects get nothing and store nothing.</summary>
public class RatingIntegrityTests
{
    private static RatingService Service(TestDatabase db) => RatingFixture.Service(db);

    private static Task<RlhfDbContext> ContextAsync(TestDatabase db) => RatingFixture.ContextAsync(db);

    /// <summary>Runs every lease out, as a minute's wait would (no wall clock in tests).</summary>
    private static async Task RunLeasesOutAsync(TestDatabase database)
    {
        await using var db = await ContextAsync(database);
        await db.Assignments.ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)));
    }

    [Fact]
    public async Task A_lease_that_ran_out_never_comes_back_to_the_same_rater_and_their_second_vote_is_refused()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1, k: 2, leaseMinutes: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);

        var first = (await service.NextAsync(rater))!; // A1
        await RunLeasesOutAsync(database);
        // The comparison still needs two votes, but its late vote through A1 may still count: not offered again.
        Assert.Null(await service.NextAsync(rater));

        // A database from before the fix may hold a second assignment of the same comparison (A2) for the same rater.
        long second;
        await using (var db = await ContextAsync(database))
        {
            var a2 = new Assignment
            {
                ProjectId = (await db.Comparisons.SingleAsync()).ProjectId, ComparisonId = comparisons[0], RaterId = rater,
                Status = AssignmentStatus.Leased, StartedAtUtc = DateTime.UtcNow, LeaseExpiresAtUtc = DateTime.UtcNow.AddMinutes(1),
            };
            db.Assignments.Add(a2);
            await db.SaveChangesAsync();
            second = a2.Id;
        }
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(rater, second, 1, false, null)).Outcome);
        var late = await service.SubmitAsync(rater, first.AssignmentId, -2, false, null);
        Assert.Equal(RatingOutcome.AlreadyVoted, late.Outcome);
        Assert.Contains("already voted", late.Error);

        await using var check = await ContextAsync(database);
        var vote = await check.Votes.SingleAsync();
        Assert.Equal((second, rater, 1), (vote.AssignmentId, vote.RaterId, vote.Strength * (vote.AShownLeft ? 1 : -1)));
        Assert.Equal(AssignmentStatus.Expired, (await check.Assignments.SingleAsync(a => a.Id == first.AssignmentId)).Status);
    }

    [Fact]
    public async Task A_late_vote_on_a_lease_that_ran_out_is_still_stored_once()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 2, leaseMinutes: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);

        var task = (await service.NextAsync(rater))!;
        await RunLeasesOutAsync(database);
        Assert.Null(await service.NextAsync(rater)); // sweeps the run-out lease to Expired
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(rater, task.AssignmentId, 2, false, null)).Outcome);
        Assert.Equal(RatingOutcome.AlreadyStored, (await service.SubmitAsync(rater, task.AssignmentId, 2, false, null)).Outcome);
        await using var check = await ContextAsync(database);
        Assert.Equal(1, await check.Votes.CountAsync());
    }

    [Fact]
    public async Task The_database_refuses_a_second_counted_vote_by_the_same_rater_on_a_comparison()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (project, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1, k: 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        await using var db = await ContextAsync(database);
        var now = DateTime.UtcNow;
        var assignments = Enumerable.Range(0, 3).Select(_ => new Assignment
        {
            ProjectId = project, ComparisonId = comparisons[0], RaterId = rater, Status = AssignmentStatus.Expired,
            StartedAtUtc = now, LeaseExpiresAtUtc = now,
        }).ToList();
        db.Assignments.AddRange(assignments);
        await db.SaveChangesAsync();
        Vote VoteOn(Assignment a, DateTime? voided = null) => new()
        {
            AssignmentId = a.Id, ComparisonId = a.ComparisonId!.Value, ProjectId = project, RaterId = rater, Strength = 1, SubmittedAtUtc = now, VoidedAtUtc = voided,
        };

        db.Votes.Add(VoteOn(assignments[0], voided: now)); // a voided vote does not count...
        db.Votes.Add(VoteOn(assignments[1]));              // ...so one counted vote may stand beside it
        await db.SaveChangesAsync();

        db.Votes.Add(VoteOn(assignments[2]));
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        // The counted-vote index refused it, on either provider (SQLite names its columns, PostgreSQL the index).
        Assert.True(Rlhf.Data.Database.UniqueViolation.Is(refused, RlhfDbContext.CountedVotePerRaterIndex, "Votes.ComparisonId, Votes.RaterId"),
            refused.InnerException?.Message);

        await using var check = await ContextAsync(database);
        Assert.Equal(2, await check.Votes.CountAsync());
    }

    [Fact]
    public async Task A_locked_rater_gets_no_comparison_and_cannot_vote_even_on_a_live_lease()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 2, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);
        var task = (await service.NextAsync(rater))!;

        // Locked the way failed sign-ins lock (the lease is left live): the service itself must refuse.
        await using (var scope = database.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByIdAsync(rater))!;
            Assert.True((await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1))).Succeeded);
        }

        Assert.Null(await service.NextAsync(rater));
        var vote = await service.SubmitAsync(rater, task.AssignmentId, 1, false, null);
        Assert.Equal(RatingOutcome.Locked, vote.Outcome);
        Assert.Contains("locked", vote.Error);
        await using var check = await ContextAsync(database);
        Assert.Equal(0, await check.Votes.CountAsync());
        Assert.Equal(AssignmentStatus.Leased, (await check.Assignments.SingleAsync()).Status);
    }

    [Fact]
    public async Task A_paused_project_hands_out_nothing_and_refuses_votes_on_live_leases_until_it_is_active_again()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (project, pool, _) = await RatingFixture.ProjectAsync(database, 2, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = Service(database);
        var task = (await service.NextAsync(raters[0]))!;

        await SetStatusAsync(database, project, ProjectStatus.Paused);
        Assert.Null(await service.NextAsync(raters[0])); // not even their live lease
        Assert.Null(await service.NextAsync(raters[1]));
        var vote = await service.SubmitAsync(raters[0], task.AssignmentId, 1, false, null);
        Assert.Equal(RatingOutcome.ProjectNotActive, vote.Outcome);
        Assert.Contains("paused", vote.Error);
        Assert.DoesNotContain("project-", vote.Error); // blinding: a rater sees the title for raters, never the internal name (project-{guid})
        await using (var check = await ContextAsync(database))
            Assert.Equal(0, await check.Votes.CountAsync());

        await SetStatusAsync(database, project, ProjectStatus.Active);
        Assert.Equal(task.AssignmentId, (await service.NextAsync(raters[0]))!.AssignmentId);
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[0], task.AssignmentId, 1, false, null)).Outcome);
    }

    private static async Task SetStatusAsync(TestDatabase database, int projectId, ProjectStatus status)
    {
        await using var db = await ContextAsync(database);
        await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, status));
    }
}
