using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Rlhf.Bench.Load;
using Rlhf.Bench.Site;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Data.Identity;

namespace Rlhf.Bench.Tests.Load;

/// <summary>The database check of `bench load` finds lost votes, duplicates and exceeded overlap planted in a real schema.</summary>
public sealed class VoteIntegrityCheckTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-bench-tests", Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(folder, "rlhf.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        await using var database = new SiteDatabase(DatabasePath);
        await using var db = await database.OpenAsync();
        await db.Database.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>One rater, one comparison that needs one vote, and <paramref name="votes"/> submitted assignments of that rater on it.</summary>
    private async Task<(int ProjectId, List<(long AssignmentId, long VoteId)> Votes)> PlantAsync(SiteDatabase database, int votes)
    {
        await using var db = await database.OpenAsync();
        var now = DateTime.UtcNow;
        var rater = new ApplicationUser { UserName = "r@example.test", Email = "r@example.test", CreatedAtUtc = now };
        db.Users.Add(rater);
        var project = new Project { Name = "Planted", Status = ProjectStatus.Active, Overlap = 1, CreatedAtUtc = now };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        var prompt = new Prompt { ProjectId = project.Id, Text = "?", CreatedAtUtc = now };
        db.Prompts.Add(prompt);
        await db.SaveChangesAsync();
        var a = new Response { PromptId = prompt.Id, Text = "a", CreatedAtUtc = now };
        var b = new Response { PromptId = prompt.Id, Text = "b", CreatedAtUtc = now };
        db.Responses.AddRange(a, b);
        await db.SaveChangesAsync();
        var comparison = new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = 1, CreatedAtUtc = now };
        db.Comparisons.Add(comparison);
        await db.SaveChangesAsync();
        var stored = new List<(long, long)>();
        for (var i = 0; i < votes; i++)
        {
            var assignment = new Assignment
            {
                ProjectId = project.Id, ComparisonId = comparison.Id, RaterId = rater.Id, Status = AssignmentStatus.Submitted,
                StartedAtUtc = now, LeaseExpiresAtUtc = now.AddMinutes(15), FinishedAtUtc = now,
            };
            db.Assignments.Add(assignment);
            await db.SaveChangesAsync();
            var vote = new Vote { AssignmentId = assignment.Id, ComparisonId = comparison.Id, ProjectId = project.Id, RaterId = rater.Id, SubmittedAtUtc = now };
            db.Votes.Add(vote);
            await db.SaveChangesAsync();
            stored.Add((assignment.Id, vote.Id));
        }
        return (project.Id, stored);
    }

    [Fact]
    public async Task A_clean_project_passes()
    {
        await using var database = new SiteDatabase(DatabasePath);
        var (projectId, votes) = await PlantAsync(database, 1);
        await using var db = await database.OpenAsync();
        var report = await VoteIntegrityCheck.RunAsync(db, projectId, votes.ToDictionary(v => v.AssignmentId, v => v.VoteId), CancellationToken.None);
        Assert.True(report.Passed);
        Assert.Equal(new VoteIntegrityReport(1, 1, 0, 0, 0, 0, Comparisons: 1, Complete: 1), report);
    }

    [Fact]
    public async Task A_lost_vote_a_duplicate_and_an_exceeded_overlap_are_each_reported()
    {
        await using var database = new SiteDatabase(DatabasePath);
        // The schema itself refuses a second counted vote of a rater on a comparison; the check audits the data without
        // trusting the schema (a database from before the index, another engine), so the planted duplicate needs it gone.
        await using (var schema = await database.OpenAsync())
            await schema.Database.ExecuteSqlRawAsync("DROP INDEX " + RlhfDbContext.CountedVotePerRaterIndex);
        var (projectId, votes) = await PlantAsync(database, 2); // the same rater twice on a comparison that needs one vote
        var acknowledged = new Dictionary<long, long>
        {
            [votes[0].AssignmentId] = votes[0].VoteId,
            [votes[1].AssignmentId] = votes[1].VoteId,
            [999_999] = 888_888, // acknowledged by the server, never stored
        };
        await using var db = await database.OpenAsync();
        var report = await VoteIntegrityCheck.RunAsync(db, projectId, acknowledged, CancellationToken.None);
        Assert.False(report.Passed);
        Assert.Equal(1, report.Lost);
        Assert.Equal(1, report.Duplicates);
        Assert.Equal(1, report.OverOverlap);
        Assert.Equal(2, report.Stored);
        Assert.Equal((1, 0), (report.Comparisons, report.Complete)); // two votes where one is required: not complete
    }

    [Fact]
    public async Task A_comparison_short_of_its_votes_is_not_complete()
    {
        await using var database = new SiteDatabase(DatabasePath);
        var (projectId, _) = await PlantAsync(database, 0);
        await using var db = await database.OpenAsync();
        var report = await VoteIntegrityCheck.RunAsync(db, projectId, new Dictionary<long, long>(), CancellationToken.None);
        Assert.True(report.Passed); // nothing acknowledged, nothing lost: short of votes is not a failure of the store
        Assert.Equal((1, 0), (report.Comparisons, report.Complete));
    }
}
