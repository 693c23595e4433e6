using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>The site's contexts come from a pool of the configured provider's type, and come back from it clean.</summary>
public class RlhfDbContextFactoryTests
{
    [Fact]
    public async Task A_disposed_context_is_handed_out_again_with_nothing_tracked_and_its_settings_reset()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, _, _) = await RatingFixture.ProjectAsync(database, 1);
        var factory = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();

        var first = await factory.CreateDbContextAsync();
        Assert.IsType(database.Services.GetRequiredService<DatabaseLocation>().Provider == DatabaseProvider.Postgres
            ? typeof(PostgresRlhfDbContext) : typeof(RlhfDbContext), first);
        var project = await first.Projects.SingleAsync(p => p.Id == projectId);
        project.Name = "changed, never saved";
        first.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        first.Database.AutoSavepointsEnabled = false; // as the group commit sets it
        await first.DisposeAsync();

        await using var second = await factory.CreateDbContextAsync();
        Assert.Same(first, second);
        Assert.Empty(second.ChangeTracker.Entries());
        Assert.Equal(QueryTrackingBehavior.TrackAll, second.ChangeTracker.QueryTrackingBehavior);
        Assert.True(second.Database.AutoSavepointsEnabled);
        Assert.NotEqual("changed, never saved", (await second.Projects.SingleAsync(p => p.Id == projectId)).Name);
        Assert.Single(second.ChangeTracker.Entries<Project>());
    }
}
