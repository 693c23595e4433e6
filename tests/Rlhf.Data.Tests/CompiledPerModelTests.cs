using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>A compiled query runs on contexts of every model it meets (EF Core refuses one compiled for another model).</summary>
public class CompiledPerModelTests
{
    [Fact]
    public async Task A_query_is_compiled_once_per_model_and_answers_on_each()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, _, _) = await RatingFixture.ProjectAsync(database, 1);
        var compilations = 0;
        var name = new CompiledPerModel<Func<RlhfDbContext, int, CancellationToken, Task<string>>>(() =>
        {
            Interlocked.Increment(ref compilations);
            return EF.CompileAsyncQuery((RlhfDbContext db, int id, CancellationToken ct) => db.Projects.Where(p => p.Id == id).Select(p => p.Name).Single());
        });

        // The site's contexts, and contexts with an EF Core service provider of their own, hence a model of their own.
        await using var site = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var options = new DbContextOptionsBuilder<RlhfDbContext>();
        var location = database.Services.GetRequiredService<DatabaseLocation>();
        RlhfDbContextFactory.Configure(options, location);
        await using var other = new RlhfDbContextFactory(options.EnableServiceProviderCaching(false).Options, location).CreateDbContext();
        Assert.NotSame(site.Model, other.Model);
        var expected = await site.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync();

        Assert.Equal(expected, await name.For(site)(site, projectId, default));
        Assert.Equal(expected, await name.For(other)(other, projectId, default));
        Assert.Equal(expected, await name.For(site)(site, projectId, default));
        Assert.Same(name.For(site), name.For(site));
        Assert.NotSame(name.For(site), name.For(other));
        Assert.Equal(2, compilations);
    }
}
