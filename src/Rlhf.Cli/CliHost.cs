using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Data.Hosting;
using Rlhf.Jobs;

namespace Rlhf.Cli;

/// <summary>
/// The same configuration (top-level appsettings.json, environment variables) and services as the site, without
/// the web server.
/// </summary>
internal static class CliHost
{
    public static IHost Create(bool withJobRunner = false)
    {
        var contentRoot = ContentRootLocator.Find();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = contentRoot,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error);
        builder.Services.AddRlhfData(builder.Configuration, contentRoot);
        builder.Services.AddRlhfJobs(builder.Configuration);
        if (withJobRunner)
        {
            builder.Logging.AddFilter("Rlhf.Jobs", LogLevel.Information);
            builder.Services.AddRlhfJobRunner();
        }
        return builder.Build();
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a service scope of a new host whose database is brought to the current schema
    /// first (what every command that reads or writes the database does before its own work).
    /// </summary>
    /// <param name="createHost">Builds the host (tests give their own database); default <see cref="Create"/>.</param>
    public static async Task<int> WithDatabaseAsync(Func<IServiceProvider, Task<int>> work, CancellationToken ct, Func<IHost>? createHost = null)
    {
        using var host = (createHost ?? (() => Create()))();
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
        return await work(scope.ServiceProvider);
    }
}
