using System.Collections.Concurrent;
using Rlhf.Jobs.Runner;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// Runs a trainer as a job: the trainer trains on a thread of its own and reports through this host (metrics with the
/// progress they mean, artifact writes such as sample tables); the job's thread writes those to the job store in the
/// order they came, every 500 ms while training and once more when it ends (also when it fails or is cancelled). A
/// checkpoint that does not fit the run fails the job with the trainer's message. The run's log gets the progress
/// message at every tenth of the run, so a long run's log is not silent between its first and last line.
/// </summary>
public sealed class TrainingJobHost(JobContext context)
{
    private static readonly TimeSpan DrainEvery = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentQueue<Func<CancellationToken, Task>> pending = new();
    private (double Progress, string Message)? latest;
    /// <summary>The last tenth of the run (0..10) whose progress message went to the log.</summary>
    private int loggedTenths;

    /// <summary>
    /// One step's metrics (stored under <paramref name="step"/>) and the progress they mean: <paramref name="progress"/>
    /// (0..1; reported as at most 0.99 until the job ends) with a one-line <paramref name="message"/>. Any thread.
    /// </summary>
    public void Metrics(long step, IReadOnlyDictionary<string, double> values, double progress, string message)
    {
        pending.Enqueue(ct => context.MetricsAsync(step, values, ct));
        pending.Enqueue(ct =>
        {
            latest = (Math.Min(0.99, progress), message);
            var tenths = (int)Math.Floor(Math.Clamp(progress, 0, 1) * 10 + 1e-9);
            if (tenths <= loggedTenths) return Task.CompletedTask;
            loggedTenths = tenths;
            return context.LogAsync(message, ct: ct);
        });
    }

    /// <summary>A write of the run's artifacts (e.g. appending a sample table), done on the job's thread in order. Any thread.</summary>
    public void Write(Func<CancellationToken, Task> write) => pending.Enqueue(write);

    /// <summary>Runs <paramref name="train"/> on a thread-pool thread and drains its reports until it ends; its result or exception.</summary>
    public async Task<T> RunAsync<T>(Func<T> train, CancellationToken ct)
    {
        var training = Task.Run(train, ct);
        try
        {
            while (!training.IsCompleted)
            {
                await Task.WhenAny(training, Task.Delay(DrainEvery, CancellationToken.None));
                await DrainAsync();
            }
        }
        finally { await DrainAsync(); }
        try { return await training; }
        catch (CheckpointMismatchException ex) { throw new JobFailedException(ex.Message); }
    }

    private async Task DrainAsync()
    {
        latest = null;
        while (pending.TryDequeue(out var next)) await next(CancellationToken.None);
        if (latest is { } report) await context.ReportAsync(report.Progress, report.Message, CancellationToken.None);
    }
}
