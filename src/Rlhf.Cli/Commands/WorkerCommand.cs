using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rlhf.Data.Database;

namespace Rlhf.Cli.Commands;

/// <summary>
/// `rlhf worker`: a job runner as its own process, against the same database as the site (set
/// Jobs__RunInSite=false on the site to leave all jobs to workers). Stops on Ctrl+C / SIGTERM; a job it was
/// running is resumed by the next runner or ends failed with the reason.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Run jobs (generation, training) from the shared database until stopped.");
        command.SetAction((parseResult, ct) => CliErrors.RunAsync(parseResult, async output =>
        {
            using var host = CliHost.Create(withJobRunner: true);
            await using (var scope = host.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
            await output.WriteLineAsync("worker started; Ctrl+C stops it");
            await host.RunAsync(ct);
            return 0;
        }));
        return command;
    }
}
