using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rlhf.Core.Jobs;

namespace Rlhf.Jobs.Runner;

/// <summary>
/// Claims jobs one at a time and runs them with their handler, heart-beating the lease while they run. Hosted
/// in the site by default; <c>rlhf worker</c> runs the same loop as its own process against the same database.
/// </summary>
public sealed class JobRunner(
    IServiceScopeFactory scopes,
    JobQueue queue,
    IOptions<JobRunnerOptions> options,
    ILogger<JobRunner> logger) : BackgroundService
{
    // Handlers are scoped (they use scoped services); the runner knows them by kind and resolves them per job.
    private readonly Dictionary<string, bool> canResume = ReadKinds(scopes);
    public string Owner { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        // Leave a core to the web server (and everything else) while a job trains: cores - 1, at least 1.
        Rlhf.Training.TorchThreads.EnsureConfigured(o.TorchThreads > 0 ? o.TorchThreads
            : Environment.GetEnvironmentVariable(Rlhf.Training.TorchThreads.Variable) is { Length: > 0 } ? null
            : Math.Max(1, Environment.ProcessorCount - 1));
        Rlhf.Training.NativeHeap.GiveBackFreedMemory(); // malloc keeps freed memory only while a job runs (RunNextAsync), also in `rlhf worker`
        logger.LogInformation("Job runner {Owner} handles: {Kinds}", Owner, string.Join(", ", canResume.Keys));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await RunNextAsync(stoppingToken))
                    await Task.Delay(o.PollMilliseconds, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception ex)
            {
                logger.LogError(ex, "Job runner loop failed; retrying");
                await Task.Delay(o.PollMilliseconds, stoppingToken).ContinueWith(_ => { });
            }
        }
    }

    /// <summary>Claims and runs one job. Returns false when there was none.</summary>
    public async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var lease = TimeSpan.FromSeconds(o.LeaseSeconds);
        var job = await queue.ClaimAsync(Owner, canResume, lease, o.MaxAttempts, stoppingToken);
        if (job is null) return false;

        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var cancelRequested = false;
        var lostLease = false;
        var heartbeat = Task.Run(async () =>
        {
            while (!run.IsCancellationRequested)
            {
                try { await Task.Delay(lease / 3, run.Token); } catch (OperationCanceledException) { return; }
                try
                {
                    var (owned, cancel) = await queue.HeartbeatAsync(job.Id, Owner, lease, CancellationToken.None);
                    if (!owned) { lostLease = true; await run.CancelAsync(); return; }
                    if (cancel) { cancelRequested = true; await run.CancelAsync(); return; }
                }
                catch (Exception ex) { logger.LogWarning(ex, "Heartbeat of job {Job} failed", job.Id); }
            }
        });

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var context = new JobContext(job, Owner, queue, scope.ServiceProvider);
            var handler = scope.ServiceProvider.GetServices<IJobHandler>().Single(h => h.Kind == job.Kind);
            Rlhf.Training.NativeHeap.KeepFreedMemory(); // a training step reuses the last one's freed tensors (given back in finally)
            await handler.RunAsync(context, run.Token);
            await run.CancelAsync();
            await heartbeat;
            // A cancel that arrived after the work ended is too late: the job succeeded.
            await queue.FinishAsync(job.Id, Owner, JobStatus.Succeeded, null, CancellationToken.None);
            await queue.LogAsync(job.Id, "info", "Succeeded.", CancellationToken.None);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            await run.CancelAsync();
            await heartbeat;
            if (lostLease)
                logger.LogWarning("Job {Job} was taken over by another runner; stopped here", job.Id);
            else if (cancelRequested)
            {
                await queue.FinishAsync(job.Id, Owner, JobStatus.Cancelled, null, CancellationToken.None);
                await queue.LogAsync(job.Id, "warning", "Cancelled on request.", CancellationToken.None);
            }
            // Runner shutting down: leave the job Running; its lease runs out and a runner resumes or fails it.
        }
        catch (Exception ex)
        {
            await run.CancelAsync();
            await heartbeat;
            var reason = ex is JobFailedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogError(ex, "Job {Job} failed", job.Id);
            await queue.FinishAsync(job.Id, Owner, JobStatus.Failed, reason, CancellationToken.None);
            await queue.LogAsync(job.Id, "error", reason, CancellationToken.None);
        }
        finally
        {
            Rlhf.Training.NativeHeap.GiveBackFreedMemory(); // the job's tensors are gone: the process need not keep its peak
        }
        return true;
    }

    private static Dictionary<string, bool> ReadKinds(IServiceScopeFactory scopes)
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetServices<IJobHandler>().ToDictionary(h => h.Kind, h => h.CanResume);
    }
}
