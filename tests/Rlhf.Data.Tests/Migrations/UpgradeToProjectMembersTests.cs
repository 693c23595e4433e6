using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Identity;
using Rlhf.Testing.Databases;

namespace Rlhf.Data.Tests.Migrations;

/// <summary>
/// Upgrading a database of the first schema: a rater's duplicate counted votes are voided (the earliest stays), each
/// project's recorded creator becomes its owner (none recorded: admins only), and jobs learn their project.
/// </summary>
public class UpgradeToProjectMembersTests
{
    [SqliteOnlyFact]
    public async Task An_old_database_upgrades_with_duplicates_voided_creators_as_owners_and_jobs_tied_to_their_project()
    {
        await using var database = new TestDatabase();
        Directory.CreateDirectory(database.Folder);
        await using var scope = database.Scope();
        var db = scope.ServiceProvider.GetRequiredService<RlhfDbContext>();
        await db.GetService<IMigrator>().MigrateAsync("20261129170208_Initial");

        var now = DateTime.UtcNow;
        db.Users.AddRange(
            new ApplicationUser { Id = "creator", UserName = "creator@example.test", Email = "creator@example.test", SecurityStamp = "s1", CreatedAtUtc = now },
            new ApplicationUser { Id = "rater", UserName = "rater@example.test", Email = "rater@example.test", SecurityStamp = "s2", CreatedAtUtc = now });
        await db.SaveChangesAsync();
        // The Projects table as the old schema stood (later migrations add columns the entity now maps).
        await db.Database.ExecuteSqlAsync($$"""
            INSERT INTO "Projects" ("Name", "Guidelines", "Status", "Overlap", "GoldRate", "LeaseMinutes", "RationaleRequired", "AdaptiveExtraRaters",
                                    "AdaptiveThreshold", "GoldMinimumAccuracy", "GoldMinimumAnswers", "PauseFlaggedRaters", "CreatedAtUtc", "CreatedById")
            VALUES ('owned', '', 'Active', 3, 0, 30, 0, 0, 0, 0, 0, 0, {{now}}, 'creator'),
                   ('orphan', '', 'Active', 3, 0, 30, 0, 0, 0, 0, 0, 0, {{now}}, NULL)
            """);
        var owned = new { Id = await db.Database.SqlQuery<int>($"""SELECT "Id" AS "Value" FROM "Projects" WHERE "Name" = 'owned'""").SingleAsync() };
        var prompt = new Prompt { ProjectId = owned.Id, Text = "p", CreatedAtUtc = now };
        db.Prompts.Add(prompt);
        await db.SaveChangesAsync();
        // The Responses table as the old schema stood (a later migration adds CutOff).
        await db.Database.ExecuteSqlAsync($$"""
            INSERT INTO "Responses" ("PromptId", "Text", "Source", "CreatedAtUtc")
            VALUES ({{prompt.Id}}, 'a', 'imported', {{now}}), ({{prompt.Id}}, 'b', 'imported', {{now}})
            """);
        var responses = await db.Database.SqlQuery<long>($"SELECT \"Id\" AS \"Value\" FROM \"Responses\" ORDER BY \"Id\"").ToListAsync();
        var comparison = new Comparison { ProjectId = owned.Id, PromptId = prompt.Id, ResponseAId = responses[0], ResponseBId = responses[1], RequiredVotes = 2, CreatedAtUtc = now };
        db.Comparisons.Add(comparison);
        await db.SaveChangesAsync();
        // The Assignments table as the old schema stood (a later migration adds PromptId).
        await db.Database.ExecuteSqlAsync($$"""
            INSERT INTO "Assignments" ("ProjectId", "ComparisonId", "RaterId", "AShownLeft", "Status", "StartedAtUtc", "LeaseExpiresAtUtc")
            VALUES ({{owned.Id}}, {{comparison.Id}}, 'rater', 1, 'Submitted', {{now}}, {{now}}),
                   ({{owned.Id}}, {{comparison.Id}}, 'rater', 1, 'Submitted', {{now}}, {{now}})
            """);
        var leases = await db.Database.SqlQuery<long>($"SELECT \"Id\" AS \"Value\" FROM \"Assignments\" ORDER BY \"Id\"").ToListAsync();
        // The defect: two counted votes by one rater on one comparison, written as the old schema stood (a later migration
        // adds the columns of a changed vote).
        for (var i = 0; i < leases.Count; i++)
            await db.Database.ExecuteSqlAsync($$"""
                INSERT INTO "Votes" ("AssignmentId", "ComparisonId", "ProjectId", "RaterId", "Strength", "BothBad", "Rationale", "AShownLeft", "SecondsOnTask", "SubmittedAtUtc")
                VALUES ({{leases[i]}}, {{comparison.Id}}, {{owned.Id}}, 'rater', {{(i == 0 ? 2 : -2)}}, 0, '', 0, 0, {{now.AddSeconds(i)}})
                """);
        // The Jobs table has no ProjectId column yet: written as the old schema stood.
        var importPayload = $"{{\"projectId\":{owned.Id},\"filePath\":\"x\"}}";
        await db.Database.ExecuteSqlAsync($$"""
            INSERT INTO "Jobs" ("Kind", "Status", "PayloadJson", "Progress", "CancelRequested", "Attempts", "CreatedAtUtc")
            VALUES ('import', 'Succeeded', {{importPayload}}, 1, 0, 1, {{now}}),
                   ('model-import', 'Succeeded', '{"path":"x"}', 1, 0, 1, {{now}})
            """);

        await db.Database.MigrateAsync();
        db.ChangeTracker.Clear();

        var stored = await db.Votes.AsNoTracking().OrderBy(v => v.Id).ToListAsync();
        Assert.Null(stored[0].VoidedAtUtc);
        Assert.NotNull(stored[1].VoidedAtUtc);
        Assert.Contains("duplicate", stored[1].VoidReason);
        var members = await db.ProjectMembers.AsNoTracking().ToListAsync();
        var member = Assert.Single(members);
        Assert.Equal((owned.Id, "creator", true), (member.ProjectId, member.UserId, member.IsOwner));
        var jobs = await db.Jobs.AsNoTracking().OrderBy(j => j.Id).Select(j => j.ProjectId).ToListAsync();
        Assert.Equal([owned.Id, null], jobs);
        // Projects from before vote history let raters change a vote for the default window; no vote was ever changed.
        Assert.All(await db.Projects.AsNoTracking().ToListAsync(), p => Assert.Equal(ProjectSettings.DefaultVoteChangeMinutes, p.VoteChangeMinutes));
        Assert.All(stored, v => Assert.Equal((0, (DateTime?)null), (v.EditCount, v.EditedAtUtc)));
    }
}
