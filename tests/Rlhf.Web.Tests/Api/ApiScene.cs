using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Data.Projects;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

/// <summary>Accounts with tokens and a small active project with one comparison, written straight to the test site's database.</summary>
internal static class ApiScene
{
    public static async Task<(string UserId, string Token)> UserWithTokenAsync(RlhfWebFactory factory, string email, string role, int days = 30)
    {
        _ = factory.Client(); // start the site (migrations, roles)
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync(email, [role], "Some-Password-1", null);
        Assert.True(created.Succeeded, created.Error);
        var (secret, error) = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(created.UserId!, "test", days);
        Assert.Null(error);
        return (created.UserId!, secret!);
    }

    public static HttpClient Api(RlhfWebFactory factory, string? token)
    {
        var client = factory.Client();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<RlhfDbContext> DbAsync(RlhfWebFactory factory) =>
        await factory.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();

    /// <summary>An active project (k = 2, no gold) whose pool holds the raters, with one comparison.</summary>
    /// <summary>Makes the user the project's owner, as its creator would be (the service's own rule).</summary>
    public static async Task OwnedByAsync(RlhfWebFactory factory, int projectId, string userId)
    {
        await using var db = await DbAsync(factory);
        await ProjectMemberService.AddOwnerAsync(db, projectId, userId, DateTime.UtcNow, CancellationToken.None);
        await db.SaveChangesAsync();
    }

    public static async Task<int> ProjectForRatersAsync(RlhfWebFactory factory, params string[] raterIds)
    {
        await using var db = await DbAsync(factory);
        var pool = new Pool { Name = $"api pool {Guid.NewGuid():N}", CreatedAtUtc = DateTime.UtcNow };
        var project = new Project { Name = $"api project {Guid.NewGuid():N}", Status = ProjectStatus.Active, Overlap = 2, GoldRate = 0, CreatedAtUtc = DateTime.UtcNow };
        db.AddRange(pool, project);
        await db.SaveChangesAsync();
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });
        foreach (var r in raterIds) db.PoolMembers.Add(new PoolMember { PoolId = pool.Id, UserId = r, AddedAtUtc = DateTime.UtcNow });
        var prompt = new Prompt { ProjectId = project.Id, Text = "Hello?", CreatedAtUtc = DateTime.UtcNow };
        db.Prompts.Add(prompt);
        await db.SaveChangesAsync();
        var a = new Response { PromptId = prompt.Id, Text = "Hi!", CreatedAtUtc = DateTime.UtcNow };
        var b = new Response { PromptId = prompt.Id, Text = "Go away.", CreatedAtUtc = DateTime.UtcNow };
        db.Responses.AddRange(a, b);
        await db.SaveChangesAsync();
        db.Comparisons.Add(new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = 2, CreatedAtUtc = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return project.Id;
    }
}
