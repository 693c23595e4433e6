using Microsoft.EntityFrameworkCore;
using Rlhf.Data;
using Rlhf.Jobs.Runner;

namespace Rlhf.Web.Startup;

/// <summary>
/// /readyz: whether this instance can serve. The database answers a query, and the job runner hosted here (when
/// <c>Jobs:RunInSite</c> is on) has its loop running. 200 with each check's state, else 503. Anonymous, like /healthz
/// (load balancers and orchestrators call it): it names states, never hosts or errors, which go to the log.
/// </summary>
public static class Readiness
{
    public sealed record Report(string Status, string Database, string JobRunner);

    public static async Task<IResult> CheckAsync(IDbContextFactory<RlhfDbContext> contexts, IServiceProvider services,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(Readiness));
        string database;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await db.Jobs.AnyAsync(timeout.Token);
            database = "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Readiness: the database did not answer");
            database = "unreachable";
        }
        var runner = services.GetService<JobRunner>();
        var jobRunner = runner is null ? "not hosted here"
            : runner.ExecuteTask is null ? "not started"
            : runner.ExecuteTask.IsCompleted ? "stopped"
            : "running";
        var ready = database == "ok" && jobRunner is "running" or "not hosted here";
        var report = new Report(ready ? "ready" : "not ready", database, jobRunner);
        return ready ? Results.Ok(report) : Results.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
