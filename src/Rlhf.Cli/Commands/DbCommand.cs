using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Database;

namespace Rlhf.Cli.Commands;

/// <summary>`rlhf db migrate`: bring the database to the current schema (the site does the same on start).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Create the database if needed and apply pending migrations; create missing roles.");
        migrate.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async output =>
        {
            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
            var location = scope.ServiceProvider.GetRequiredService<DatabaseLocation>();
            var applied = await initializer.MigrateAsync(ct);
            await initializer.EnsureRolesAsync();
            await output.WriteLineAsync(applied.Count == 0
                ? $"Database {location.Display} is up to date."
                : $"Database {location.Display}: applied {applied.Count} migration(s): {string.Join(", ", applied)}");
            return 0;
        }));

        return new Command("db", "Database maintenance.") { migrate };
    }
}
