using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Projects;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Testing.Databases;

namespace Rlhf.Jobs.Tests;

/// <summary>
/// A real SQLite file (or, when RLHF_TEST_DATABASE=postgres, a database on the test PostgreSQL cluster) with the data
/// and job services around it, and a runner driven step by step.
/// </summary>
public sealed class JobsHarness : IAsyncDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "rlhf-jobs-tests", Guid.NewGuid().ToString("N"));
    public ServiceProvider Services { get; }
    /// <summary>The database settings (provider, connection string): another process or service provider can share them.</summary>
    public IReadOnlyDictionary<string, string?> Database { get; }

    private readonly bool ownsDatabase;

    private JobsHarness(Action<IServiceCollection>? extra, int leaseSeconds, JobsHarness? sharedWith = null)
    {
        ownsDatabase = sharedWith is null;
        if (sharedWith is not null) Folder = sharedWith.Folder;
        Database = sharedWith?.Database ?? TestDatabases.Create(Folder);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Database).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bootstrap:AdminEmail"] = "admin@example.test",
            ["RLHF_ADMIN_PASSWORD"] = "Admin-Password-1",
            ["Jobs:LeaseSeconds"] = leaseSeconds.ToString(),
            ["Jobs:MaxAttempts"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        // The content root is the test folder: no shipped model there.
        services.AddRlhfData(configuration, Folder);
        services.AddRlhfJobs(configuration);
        services.AddSingleton<JobRunner>();
        extra?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public static async Task<JobsHarness> CreateAsync(Action<IServiceCollection>? extra = null, int leaseSeconds = 30)
    {
        var harness = new JobsHarness(extra, leaseSeconds);
        await using var scope = harness.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        return harness;
    }

    /// <summary>
    /// Another worker on this harness's database and folder, with services of its own (its own connection pool and job
    /// runner), as a second `rlhf worker` process would be; this harness drops the database.
    /// </summary>
    public JobsHarness AnotherWorker(Action<IServiceCollection>? extra = null, int leaseSeconds = 30) => new(extra, leaseSeconds, this);

    public JobQueue Queue => Services.GetRequiredService<JobQueue>();
    public JobRunner Runner => Services.GetRequiredService<JobRunner>();

    public async Task<RlhfDbContext> DbAsync() =>
        await Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> body)
    {
        await using var scope = Services.CreateAsyncScope();
        return await body(scope.ServiceProvider);
    }

    /// <summary>A project with the given plain prompts.</summary>
    /// <summary>Imports the model fixture <paramref name="fixture"/> (<see cref="FixturePaths.Of"/>) into the registry; returns its id.</summary>
    public async Task<int> ImportFixtureAsync(string fixture, string name, ModelKind kind) =>
        (await InScopeAsync(sp => sp.GetRequiredService<ModelRegistry>().ImportAsync(FixturePaths.Of(fixture), name, kind, null, "import", null, "", null))).Model!.Id;

    public async Task<int> ProjectWithPromptsAsync(params string[] prompts)
    {
        await using var db = await DbAsync();
        var project = new Project { Name = $"p-{Guid.NewGuid():N}", CreatedAtUtc = DateTime.UtcNow };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        foreach (var text in prompts) db.Prompts.Add(new Prompt { ProjectId = project.Id, Text = text, CreatedAtUtc = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return project.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (!ownsDatabase) return;
        await TestDatabases.DropAsync(Database);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
