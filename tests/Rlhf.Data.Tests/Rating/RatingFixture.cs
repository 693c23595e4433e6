using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data.Database;
using Rlhf.Data.Users;

namespace Rlhf.Data.Tests.Rating;

/// <summary>A migrated database with a pool, an active project of n comparisons and helpers to add raters.</summary>
public static class RatingFixture
{
    public static Rlhf.Data.Rating.RatingService Service(TestDatabase db) => db.Services.GetRequiredService<Rlhf.Data.Rating.RatingService>();

    public static async Task<RlhfDbContext> ContextAsync(TestDatabase db) =>
        await db.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();

    public static async Task<TestDatabase> DatabaseAsync()
    {
        var db = new TestDatabase(new() { ["RLHF_ADMIN_PASSWORD"] = "Env-Password-123" });
        await using var scope = db.Scope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        return db;
    }

    public static async Task<(int ProjectId, int PoolId, List<long> ComparisonIds)> ProjectAsync(
        TestDatabase database, int comparisons, int k = 3, double goldRate = 0, int extraRaters = 0, int? quota = null,
        bool rationaleRequired = false, int leaseMinutes = 15)
    {
        await using var scope = database.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var pool = new Pool { Name = $"pool-{Guid.NewGuid():N}", CreatedAtUtc = DateTime.UtcNow };
        var project = new Project
        {
            Name = $"project-{Guid.NewGuid():N}", Status = ProjectStatus.Active, Overlap = k, GoldRate = goldRate,
            AdaptiveExtraRaters = extraRaters, DailyQuota = quota, RationaleRequired = rationaleRequired,
            LeaseMinutes = leaseMinutes, CreatedAtUtc = DateTime.UtcNow,
        };
        db.AddRange(pool, project);
        await db.SaveChangesAsync();
        db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool.Id });
        var ids = new List<long>();
        for (var i = 0; i < comparisons; i++)
        {
            var prompt = new Prompt { ProjectId = project.Id, Text = $"Prompt {i}", CreatedAtUtc = DateTime.UtcNow };
            db.Prompts.Add(prompt);
            await db.SaveChangesAsync();
            var a = new Response { PromptId = prompt.Id, Text = $"Short answer {i}.", Source = "imported", CreatedAtUtc = DateTime.UtcNow };
            var b = new Response { PromptId = prompt.Id, Text = $"A much longer answer number {i}, with details.", Source = "imported", CreatedAtUtc = DateTime.UtcNow };
            db.Responses.AddRange(a, b);
            await db.SaveChangesAsync();
            var c = new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = k, CreatedAtUtc = DateTime.UtcNow };
            db.Comparisons.Add(c);
            await db.SaveChangesAsync();
            ids.Add(c.Id);
        }
        return (project.Id, pool.Id, ids);
    }

    public static async Task<List<string>> RatersAsync(TestDatabase database, int poolId, int count)
    {
        await using var scope = database.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        var ids = new List<string>();
        await using var db = await factory.CreateDbContextAsync();
        for (var i = 0; i < count; i++)
        {
            var r = await directory.CreateAsync($"rater{i}-{Guid.NewGuid():N}@example.test", ["Rater"], "Rater-Password-1", null);
            Assert.True(r.Succeeded, r.Error);
            db.PoolMembers.Add(new PoolMember { PoolId = poolId, UserId = r.UserId!, AddedAtUtc = DateTime.UtcNow });
            ids.Add(r.UserId!);
        }
        await db.SaveChangesAsync();
        return ids;
    }
}
