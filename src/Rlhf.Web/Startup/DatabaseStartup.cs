using Microsoft.EntityFrameworkCore;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Seeding;

namespace Rlhf.Web.Startup;

/// <summary>
/// Migrates the database and seeds roles, copies an older site's data-protection keys into the database (<see cref="DataProtectionKeyImport"/>), the bootstrap admin, the shipped demo model and the shipped campaign before the server starts listening. A failure
/// stops start-up with <see cref="StartupConfigurationException"/>.
/// </summary>
public sealed class DatabaseStartup(IServiceScopeFactory scopes, DatabaseLocation location, ILogger<DatabaseStartup> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
        var result = await initializer.InitializeAsync(cancellationToken);
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            var imported = await DataProtectionKeyImport.ImportAsync(db, Path.Combine(location.DataFolder, "keys"), cancellationToken);
            if (imported > 0) logger.LogInformation("Copied {Count} data-protection keys from the keys folder into the database.", imported);
        }
        var demo = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().EnsureShippedDemoAsync(cancellationToken);
        if (demo is not null) logger.LogInformation("Model registry holds the shipped {Model}.", demo.Name);
        if (await scope.ServiceProvider.GetRequiredService<ShippedCampaignSeeder>().EnsureAsync(cancellationToken) is { } project)
            logger.LogInformation("Seeded the shipped campaign, project {Project}.", project);
        if (result.CreatedAdminEmail is not null)
        {
            logger.LogInformation("Created the bootstrap admin {Email}.", result.CreatedAdminEmail);
            if (result.GeneratedPassword is not null)
            {
                // Printed once, to the console only: it is never stored in clear or logged again.
                Console.WriteLine();
                Console.WriteLine($"  Bootstrap admin: {result.CreatedAdminEmail}");
                Console.WriteLine($"  Password (shown once; change it under Account after logging in): {result.GeneratedPassword}");
                Console.WriteLine();
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
