using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;

namespace Rlhf.Bench.Site;

/// <summary>
/// The database the site uses (or used) — a SQLite file or a <see cref="BenchDatabase"/> — opened from the CLI with the same data services; WAL lets both write to SQLite. Used
/// to set a benchmark up and to check its votes afterwards, never during the measured phase.
/// </summary>
internal sealed class SiteDatabase : IAsyncDisposable
{
    public ServiceProvider Services { get; }

    public SiteDatabase(string databasePath)
        : this(new Dictionary<string, string> { ["ConnectionStrings:Rlhf"] = $"Data Source={databasePath}" }, Path.GetDirectoryName(Path.GetFullPath(databasePath))!)
    {
    }

    public SiteDatabase(BenchDatabase database) : this(database.Settings, database.Folder)
    {
    }

    private SiteDatabase(IReadOnlyDictionary<string, string> settings, string contentRoot)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error));
        services.AddRlhfData(configuration, contentRoot);
        Services = services.BuildServiceProvider();
    }

    public async Task<RlhfDbContext> OpenAsync(CancellationToken ct = default) =>
        await Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(ct);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
