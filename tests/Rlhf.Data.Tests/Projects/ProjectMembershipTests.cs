using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Projects;
using Rlhf.Data.Tests.Rating;
using Rlhf.Data.Users;

namespace Rlhf.Data.Tests.Projects;

/// <summary>A project belongs to its creator and the researchers they add; admins see all; to anyone else it does not exist.</summary>
public class ProjectMembershipTests
{
    private static async Task<AuditActor> ResearcherAsync(TestDatabase database, string name)
    {
        await using var scope = database.Scope();
        var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync($"{name}@example.test", ["Researcher"], "Some-Password-1", null);
        Assert.True(created.Succeeded, created.Error);
        return new AuditActor(created.UserId, $"{name}@example.test");
    }

    [Fact]
    public async Task A_second_researcher_can_neither_see_nor_change_anothers_project_until_the_owner_adds_them()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var owner = await ResearcherAsync(database, "owner");
        var other = await ResearcherAsync(database, "other");
        var admin = new AuditActor("admin-id", "admin", IsAdmin: true);
        await using var scope = database.Scope();
        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
        var members = scope.ServiceProvider.GetRequiredService<ProjectMemberService>();

        var (id, errors) = await projects.SaveAsync(null, new ProjectEdit { Name = "Owned", Status = ProjectStatus.Active }, owner);
        Assert.Empty(errors);
        var projectId = id!.Value;

        // The other researcher: the project does not exist for them, in every service.
        Assert.DoesNotContain(await projects.ListAsync(other), p => p.Id == projectId);
        Assert.Null(await projects.GetAsync(projectId, other));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => projects.SaveAsync(projectId, new ProjectEdit { Name = "Taken over" }, other));
        Assert.Null(await members.ListAsync(projectId, other));
        Assert.Equal(MembershipOutcome.NotFound, (await members.AddAsync(projectId, "other@example.test", other)).Outcome);

        // The owner and an admin see it; the owner is listed as such.
        Assert.Contains(await projects.ListAsync(owner), p => p.Id == projectId);
        Assert.Contains(await projects.ListAsync(admin), p => p.Id == projectId);
        var listed = Assert.Single((await members.ListAsync(projectId, owner))!);
        Assert.Equal((owner.UserId, true), (listed.UserId, listed.IsOwner));

        // Only researchers can be added; the owner adds the other one, who then sees the project but may not manage members.
        Assert.Equal(MembershipOutcome.Invalid, (await members.AddAsync(projectId, "nobody@example.test", owner)).Outcome);
        Assert.Equal(MembershipOutcome.Done, (await members.AddAsync(projectId, " OTHER@example.test ", owner)).Outcome);
        Assert.Equal("Owned", (await projects.GetAsync(projectId, other))!.Value.Project.Name);
        Assert.Equal(MembershipOutcome.Forbidden, (await members.RemoveAsync(projectId, owner.UserId!, other)).Outcome);
        Assert.Equal(MembershipOutcome.Invalid, (await members.RemoveAsync(projectId, owner.UserId!, admin)).Outcome); // never the owner

        Assert.Equal(MembershipOutcome.Done, (await members.RemoveAsync(projectId, other.UserId!, owner)).Outcome);
        Assert.Null(await projects.GetAsync(projectId, other));

        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditEvents.Where(a => a.Action.StartsWith("project.member")).OrderBy(a => a.Id).Select(a => new { a.Action, a.Details, a.ActorId }).ToListAsync();
        Assert.Equal(["project.member-added", "project.member-removed"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(("other@example.test", owner.UserId), (a.Details, a.ActorId)));
    }

    [Fact]
    public async Task Gold_answers_of_another_researchers_project_cannot_be_set()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, _, comparisons) = await RatingFixture.ProjectAsync(database, 1); // no recorded creator: admins only
        var other = await ResearcherAsync(database, "other");
        await using var scope = database.Scope();
        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();

        Assert.Contains("no comparison", await projects.SetGoldAsync(comparisons[0], GoldSide.A, 1, other));
        Assert.Null(await projects.SetGoldAsync(comparisons[0], GoldSide.A, 1, new AuditActor("admin-id", "admin", IsAdmin: true)));
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        Assert.Equal(GoldSide.A, (await db.GoldAnswers.SingleAsync()).Side);
    }
}
