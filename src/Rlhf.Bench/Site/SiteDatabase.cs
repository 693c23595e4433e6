using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;

namespace Rlhf.Bench.Site;

/// <summary>
/// A SQLite file the site uses (or used), opened from the CLI with the same data services; WAL lets both write. Used
/// to set a benchmark up and to check its votes afterwards, never during the measured phase.
/// </summary>
internal sealed class SiteDatabase : IAsyncDisposable
{
    public ServiceProvider Services { get; }

    public SiteDatabase(string databasePath)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rlhf"] = $"Data Source={databasePath}",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error));
        services.AddRlhfData(configuration, Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        Services = services.BuildServiceProvider();
    }

    public async Task<RlhfDbContext> OpenAsync(CancellationToken ct = default) =>
        await Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(ct);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
