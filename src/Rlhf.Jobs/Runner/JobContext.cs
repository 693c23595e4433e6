using System.Diagnostics;
using System.Text.Json;
using Rlhf.Core.Jobs;
using Rlhf.Core.Telemetry;

namespace Rlhf.Jobs.Runner;

/// <summary>What a handler sees of its job: the payload, progress, log, metrics and the services of its scope.</summary>
public sealed class JobContext(Job job, string owner, JobQueue queue, IServiceProvider services)
{
    public Job Job { get; } = job;
    public IServiceProvider Services { get; } = services;
    /// <summary>True when this run continues a job that was running when its previous runner stopped.</summary>
    public bool IsResume => Job.Attempts > 1;

    public T Payload<T>() => JsonSerializer.Deserialize<T>(Job.PayloadJson, JobQueue.Json)
        ?? throw new InvalidOperationException($"Job {Job.Id} has no payload.");

    public Task ReportAsync(double progress, string? message, CancellationToken ct = default) =>
        queue.ReportAsync(Job.Id, owner, progress, message, ct);

    public Task LogAsync(string message, string level = "info", CancellationToken ct = default) =>
        queue.LogAsync(Job.Id, level, message, ct);

    private (long Step, long Timestamp)? lastMetrics;

    /// <summary>
    /// Stores a step's metrics, and records the wall time per step since the previous report of this run
    /// (<see cref="RlhfMetrics.TrainingStepDuration"/>: the time between reports over the steps between them).
    /// </summary>
    public Task MetricsAsync(long step, IReadOnlyDictionary<string, double> values, CancellationToken ct = default)
    {
        var now = Stopwatch.GetTimestamp();
        if (lastMetrics is { } last && step > last.Step)
            RlhfMetrics.TrainingStepDuration.Record(Stopwatch.GetElapsedTime(last.Timestamp, now).TotalSeconds / (step - last.Step),
                new KeyValuePair<string, object?>("kind", Job.Kind));
        lastMetrics = (step, now);
        return queue.AddMetricsAsync(Job.Id, step, values, ct);
    }
}
