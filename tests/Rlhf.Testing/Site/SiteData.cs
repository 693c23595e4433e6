using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;

namespace Rlhf.Testing;

/// <summary>The running site's SQLite file opened from the test, with the same data services (WAL lets both write).</summary>
public sealed class SiteData : IAsyncDisposable
{
    public ServiceProvider Services { get; }

    public SiteData(SiteProcess site)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rlhf"] = $"Data Source={site.DatabasePath}",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddRlhfData(configuration, site.Folder);
        Rlhf.Jobs.JobsServiceCollectionExtensions.AddRlhfJobs(services, configuration);
        Services = services.BuildServiceProvider();
    }

    public async Task<RlhfDbContext> DbAsync() =>
        await Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
