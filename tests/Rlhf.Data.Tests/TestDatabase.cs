using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Data;
using Rlhf.Testing.Databases;

namespace Rlhf.Data.Tests;

/// <summary>
/// A real SQLite file in a fresh temporary folder (or, when RLHF_TEST_DATABASE=postgres, a fresh database on the test
/// PostgreSQL cluster), with the platform's data services around it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "rlhf-data-tests", Guid.NewGuid().ToString("N"));
    public string FilePath => Path.Combine(Folder, "rlhf.db");
    public ServiceProvider Services { get; }
    private readonly Dictionary<string, string?> database;
    private readonly Dictionary<string, string?> values;

    /// <param name="empty">A PostgreSQL database without the migrations applied (by default the tests get a migrated copy).</param>
    public TestDatabase(Dictionary<string, string?>? settings = null, bool empty = false)
    {
        database = TestDatabases.Create(Folder, empty);
        values = new Dictionary<string, string?>(database) { ["Bootstrap:AdminEmail"] = "admin@example.test" };
        foreach (var (k, v) in settings ?? []) values[k] = v;
        Services = Build();
    }

    /// <summary>
    /// The data services of another site instance on the same database: its own connection pool, write gate and
    /// caches, as a second process would have. The caller disposes it.
    /// </summary>
    public ServiceProvider AnotherInstance() => Build();

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddRlhfData(configuration, Folder);
        return services.BuildServiceProvider();
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await TestDatabases.DropAsync(database);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
