using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>
/// "Done in this project" is a row per rater and project that the database keeps (triggers on Assignments): it must
/// equal the count of the rater's finished (voted or skipped) assignments there after every kind of write, on either
/// provider, and a database upgraded to it starts from the assignments it already had.
/// </summary>
public class RaterProgressTests
{
    /// <summary>The kept rows (zeros left out) against a count of the assignments themselves.</summary>
    private static async Task AssertKeptAsync(TestDatabase database, string step)
    {
        await using var db = await RatingFixture.ContextAsync(database);
        var counted = (await db.Assignments.AsNoTracking()
                .Where(a => a.Status == AssignmentStatus.Submitted || a.Status == AssignmentStatus.Skipped)
                .GroupBy(a => new { a.RaterId, a.ProjectId }).Select(g => new { g.Key.RaterId, g.Key.ProjectId, Finished = g.Count() }).ToListAsync())
            .ToDictionary(r => (r.RaterId, r.ProjectId), r => r.Finished);
        var kept = (await db.RaterProgress.AsNoTracking().Where(p => p.Finished != 0).ToListAsync())
            .ToDictionary(r => (r.RaterId, r.ProjectId), r => r.Finished);
        Assert.True(counted.Count > 0 || step == "start", $"{step}: nothing finished yet");
        static string Show(Dictionary<(string, int), int> rows) => string.Join(", ", rows.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"));
        Assert.True(Show(counted) == Show(kept), $"{step}: counted {Show(counted)}, kept {Show(kept)}");
    }

    [Fact]
    public async Task The_kept_count_follows_every_write_of_an_assignment()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (project, pool, comparisons) = await RatingFixture.ProjectAsync(database, 8, k: 2);
        var (other, otherPool, otherComparisons) = await RatingFixture.ProjectAsync(database, 2, k: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = RatingFixture.Service(database);
        await AssertKeptAsync(database, "start");

        // The rating path: a vote and a skip count, a lease does not; the count shown with the next pair is the kept one.
        var first = (await service.NextAsync(raters[0]))!;
        var voted = await service.SubmitAsync(raters[0], first.AssignmentId, 1, false, null);
        await AssertKeptAsync(database, "vote");
        var second = (await service.NextAsync(raters[0]))!;
        Assert.Equal(1, second.DoneInProject);
        await service.SkipAsync(raters[0], second.AssignmentId, "I cannot judge code");
        var third = (await service.NextAsync(raters[0]))!;
        Assert.Equal(2, third.DoneInProject);
        await AssertKeptAsync(database, "skip and lease");
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[1], (await service.NextAsync(raters[1]))!.AssignmentId, -1, false, null)).Outcome);
        await AssertKeptAsync(database, "another rater");

        // Undoing the vote releases its assignment: out of the count.
        var history = database.Services.GetRequiredService<VoteHistoryService>();
        Assert.Equal(RatingOutcome.Stored, (await history.UndoAsync(new AuditActor(raters[0], "r0@example.test"), voted.VoteId!.Value)).Outcome);
        await AssertKeptAsync(database, "undo");
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[0], third.AssignmentId, 2, false, null)).Outcome);
        Assert.Equal(2, (await service.NextAsync(raters[0]))!.DoneInProject); // the skip and this vote: the undone one is out

        // Writes outside the rating path: EF Core, bulk updates, a move to another rater and project, deletes.
        await using var db = await RatingFixture.ContextAsync(database);
        var now = DateTime.UtcNow;
        db.Assignments.Add(new Assignment
        {
            ProjectId = other, ComparisonId = otherComparisons[0], RaterId = raters[1], Status = AssignmentStatus.Skipped,
            StartedAtUtc = now, LeaseExpiresAtUtc = now, FinishedAtUtc = now, SkipReason = "imported",
        });
        await db.SaveChangesAsync();
        await AssertKeptAsync(database, "inserted finished");
        Assert.Equal(1, await db.Assignments.Where(a => a.RaterId == raters[0] && a.Status == AssignmentStatus.Leased)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Skipped)));
        await AssertKeptAsync(database, "bulk update into finished");
        Assert.Equal(1, await db.Assignments.Where(a => a.RaterId == raters[1] && a.ProjectId == other)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.RaterId, raters[0]).SetProperty(a => a.ProjectId, project)));
        await AssertKeptAsync(database, "moved to another rater and project");
        Assert.True(await db.Assignments.Where(a => a.Status == AssignmentStatus.Skipped).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Submitted)) >= 2);
        await AssertKeptAsync(database, "finished to finished");
        await db.Votes.ExecuteDeleteAsync();
        Assert.True(await db.Assignments.Where(a => a.RaterId == raters[0]).ExecuteDeleteAsync() >= 3);
        await AssertKeptAsync(database, "deleted");
        Assert.Equal(0, await db.RaterProgress.Where(p => p.RaterId == raters[0]).SumAsync(p => p.Finished));
    }

    [Fact]
    public async Task An_upgraded_database_starts_from_the_assignments_it_already_had()
    {
        await using var database = new TestDatabase();
        Directory.CreateDirectory(database.Folder);
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RlhfDbContext>();
        var migrations = db.GetService<IMigrationsAssembly>().Migrations.Keys.Order().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_RaterProgressKeptByTriggers", StringComparison.Ordinal)) - 1];
        await db.GetService<IMigrator>().MigrateAsync(before);

        var now = DateTime.UtcNow;
        db.Users.Add(new Identity.ApplicationUser { Id = "rater", UserName = "rater@example.test", Email = "rater@example.test", SecurityStamp = "s", CreatedAtUtc = now });
        db.Projects.AddRange(new Project { Name = "a", CreatedAtUtc = now }, new Project { Name = "b", CreatedAtUtc = now });
        await db.SaveChangesAsync();
        var (a, b) = (await db.Projects.SingleAsync(p => p.Name == "a"), await db.Projects.SingleAsync(p => p.Name == "b"));
        foreach (var (projectId, status) in new[] { (a.Id, AssignmentStatus.Submitted), (a.Id, AssignmentStatus.Skipped), (a.Id, AssignmentStatus.Leased),
                     (a.Id, AssignmentStatus.Released), (b.Id, AssignmentStatus.Submitted) })
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Assignments" ("ProjectId", "RaterId", "AShownLeft", "Status", "StartedAtUtc", "LeaseExpiresAtUtc")
                VALUES ({projectId}, 'rater', {false}, {status.ToString()}, {now}, {now})
                """);

        await db.Database.MigrateAsync();
        var kept = await db.RaterProgress.AsNoTracking().OrderBy(p => p.ProjectId).Select(p => new { p.ProjectId, p.Finished }).ToListAsync();
        Assert.Equal([new { ProjectId = a.Id, Finished = 2 }, new { ProjectId = b.Id, Finished = 1 }], kept);
    }
}
