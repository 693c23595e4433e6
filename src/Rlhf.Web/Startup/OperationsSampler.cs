using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;
using Rlhf.Data;
using Rlhf.Data.Queries;

namespace Rlhf.Web.Startup;

/// <summary>
/// Reads what the operations gauges show (open leases, queued and running jobs, the oldest queued job's age) from the
/// database every <c>Metrics:SampleSeconds</c> (default 10), so a scrape of /metrics never waits on the database.
/// </summary>
public sealed class OperationsSampler(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, IConfiguration configuration,
    ILogger<OperationsSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Metrics:SampleSeconds", 10.0)));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                RlhfMetrics.Publish(await SampleAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not sample the operations gauges; retrying");
            }
            await Task.Delay(every, clock, stoppingToken).ContinueWith(_ => { });
        }
    }

    public async Task<OperationsSample> SampleAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var leases = await db.Assignments.LiveLeases(now).LongCountAsync(ct);
        var queued = await db.Jobs.Where(j => j.Status == JobStatus.Queued).LongCountAsync(ct);
        var running = await db.Jobs.Where(j => j.Status == JobStatus.Running).LongCountAsync(ct);
        var oldest = await db.Jobs.Where(j => j.Status == JobStatus.Queued).OrderBy(j => j.Id).Select(j => (DateTime?)j.CreatedAtUtc).FirstOrDefaultAsync(ct);
        return new OperationsSample(leases, queued, running, oldest is { } t ? Math.Max(0, (now - t).TotalSeconds) : 0, now);
    }
}
