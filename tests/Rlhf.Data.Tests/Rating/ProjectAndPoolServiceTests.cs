using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Pools;
using Rlhf.Data.Projects;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

public class ProjectAndPoolServiceTests
{
    [Fact]
    public async Task Saving_a_project_stores_settings_pools_and_one_audit_event_together()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        await using var scope = database.Scope();
        var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
        var (poolId, _) = await pools.CreatePoolAsync("Team A", "", null);
        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();

        var (id, errors) = await projects.SaveAsync(null, new ProjectEdit { Name = "Helpfulness", Overlap = 5, PoolIds = [poolId!.Value], Status = ProjectStatus.Active }, new AuditActor("u", "researcher"));
        Assert.Empty(errors);
        var (project, poolIds) = (await projects.GetAsync(id!.Value, null))!.Value;
        Assert.Equal((5, ProjectStatus.Active), (project.Overlap, project.Status));
        Assert.Equal([poolId.Value], poolIds);

        var (_, again) = await projects.SaveAsync(null, new ProjectEdit { Name = "Helpfulness", Overlap = 0, GoldRate = 0.9 }, null);
        Assert.Contains(again, e => e.Contains("already exists"));
        Assert.Contains(again, e => e.StartsWith("Overlap k"));
        Assert.Contains(again, e => e.StartsWith("Gold rate"));

        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Projects.CountAsync());
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "project.created" && e.ActorName == "researcher"));
    }

    [Fact]
    public async Task A_single_use_invitation_registers_one_rater_into_its_pool_and_stores_only_a_hash()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        await using var scope = database.Scope();
        var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
        var (poolId, _) = await pools.CreatePoolAsync("Invited", "", null);
        var (_, token, error) = await pools.CreateInvitationAsync(poolId!.Value, 7, 1, null);
        Assert.Null(error);

        Assert.Equal(("Invited", (string?)null), await pools.CheckInvitationAsync(token!));
        var first = await pools.RegisterAsync(token!, "one@example.test", "Rater-Password-1");
        Assert.True(first.Succeeded, first.Error);
        var second = await pools.RegisterAsync(token!, "two@example.test", "Rater-Password-1");
        Assert.False(second.Succeeded);
        Assert.NotNull((await pools.CheckInvitationAsync(token!)).Error);
        Assert.NotNull((await pools.CheckInvitationAsync("not-a-token")).Error);

        var pool = (await pools.ListAsync()).Single();
        Assert.Equal(["one@example.test"], pool.Members.Select(m => m.Email));
        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var stored = await db.Invitations.SingleAsync();
        Assert.NotEqual(token, stored.TokenHash);
        Assert.Equal(InvitationToken.Hash(token!), stored.TokenHash);
        Assert.Equal(1, stored.Uses);
        Assert.False(await db.Users.AnyAsync(u => u.Email == "two@example.test"));

        // Removed again: the audit names the pool and the e-mail, not their ids.
        Assert.Null(await pools.RemoveMemberAsync(pool.Id, first.UserId!, null));
        var removed = await db.AuditEvents.SingleAsync(e => e.Action == "pool.member-removed");
        Assert.Equal(("Invited", "one@example.test"), (removed.Target, removed.Details));
    }

    [Fact]
    public async Task A_bad_password_leaves_the_invitation_unused()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        await using var scope = database.Scope();
        var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
        var (poolId, _) = await pools.CreatePoolAsync("P", "", null);
        var (_, token, _) = await pools.CreateInvitationAsync(poolId!.Value, 1, 1, null);
        Assert.False((await pools.RegisterAsync(token!, "x@example.test", "weak")).Succeeded);
        Assert.True((await pools.RegisterAsync(token!, "x@example.test", "Rater-Password-1")).Succeeded);
    }

    [Fact]
    public async Task Voiding_a_vote_keeps_it_stored_reopens_the_comparison_and_is_audited()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        await using var scope = database.Scope();
        var rating = scope.ServiceProvider.GetRequiredService<RatingService>();
        var task = (await rating.NextAsync(raters[0]))!;
        var vote = await rating.SubmitAsync(raters[0], task.AssignmentId, 2, false, null);
        Assert.Null(await rating.NextAsync(raters[1]));

        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
        Assert.NotNull(await projects.VoidVoteAsync(vote.VoteId!.Value, " ", new AuditActor("a", "admin"))); // reason required
        Assert.Null(await projects.VoidVoteAsync(vote.VoteId!.Value, "spam", new AuditActor("a", "admin")));

        Assert.NotNull(await rating.NextAsync(raters[1])); // the comparison needs a vote again
        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var stored = await db.Votes.SingleAsync();
        Assert.NotNull(stored.VoidedAtUtc);
        Assert.Equal("spam", stored.VoidReason);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "vote.voided"));
    }

    [Fact]
    public async Task Gold_answers_grade_raters()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, comparisons) = await RatingFixture.ProjectAsync(database, 2, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        await using var scope = database.Scope();
        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
        Assert.Null(await projects.SetGoldAsync(comparisons[0], GoldSide.B, 1, null));
        Assert.Null(await projects.SetGoldAsync(comparisons[1], GoldSide.A, 2, null));
        Assert.NotNull(await projects.SetGoldAsync(comparisons[1], GoldSide.A, 3, null));

        var rating = scope.ServiceProvider.GetRequiredService<RatingService>();
        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        while (await rating.NextAsync(rater) is { } task)
        {
            var a = await db.Assignments.AsNoTracking().SingleAsync(x => x.Id == task.AssignmentId);
            // B better on the first (correct), A better (not much better) on the second (wrong: gold needs 2).
            var strength = a.ComparisonId == comparisons[0] ? 1 : -1;
            await rating.SubmitAsync(rater, task.AssignmentId, VoteStrength.ToScreen(strength, a.AShownLeft), false, null);
        }
        var stats = await RatingService.GoldStatsAsync(db, projectId, rater, CancellationToken.None);
        Assert.Equal(new RaterGoldStats(2, 1), stats);
    }
}
