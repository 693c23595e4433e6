using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;

namespace Rlhf.Data.Tests;

/// <summary>A real SQLite file in a fresh temporary folder, with the platform's data services around it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "rlhf-data-tests", Guid.NewGuid().ToString("N"));
    public string FilePath => Path.Combine(Folder, "rlhf.db");
    public ServiceProvider Services { get; }

    public TestDatabase(Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Rlhf"] = $"Data Source={FilePath}",
            ["Bootstrap:AdminEmail"] = "admin@example.test",
        };
        foreach (var (k, v) in settings ?? []) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddRlhfData(configuration, Folder);
        Services = services.BuildServiceProvider();
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
