using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// The platform's own metrics (System.Diagnostics.Metrics, meter "Rlhf"), exported by the site on /metrics through
/// OpenTelemetry's Prometheus exporter. Counters and histograms are recorded where the work happens; the gauges
/// (open leases, job queue) are observed from a periodic database sample (<see cref="OperationsSample"/>).
/// </summary>
public static class RlhfMetrics
{
    public const string MeterName = "Rlhf";

    private static readonly Meter meter = new(MeterName);

    /// <summary>Votes stored (counted). votes/s is its rate.</summary>
    public static readonly Counter<long> VotesStored =
        meter.CreateCounter<long>("rlhf.votes.stored", "{vote}", "Votes stored");

    /// <summary>Time to hand out an assignment (or find none), in seconds.</summary>
    public static readonly Histogram<double> HandOutDuration =
        meter.CreateHistogram<double>("rlhf.handout.duration", "s", "Time to hand out an assignment");

    /// <summary>Time to take a vote (stored or refused), in seconds.</summary>
    public static readonly Histogram<double> VoteDuration =
        meter.CreateHistogram<double>("rlhf.vote.duration", "s", "Time to take a vote");

    /// <summary>
    /// SQL commands sent to the database (queries, inserts, updates; not BEGIN/COMMIT), by every context of the process.
    /// Commands per vote is its rate over votes/s: what <c>bench load</c> reports as the work one vote costs the database.
    /// </summary>
    public static readonly Counter<long> DatabaseCommands =
        meter.CreateCounter<long>("rlhf.db.commands", "{command}", "SQL commands sent to the database");

    /// <summary>
    /// Rating write transactions committed (group commits: each holds one or more hand-outs, votes and skips). Commits
    /// per vote is its rate over votes/s: how well writes share a commit and its fsync.
    /// </summary>
    public static readonly Counter<long> RatingCommits =
        meter.CreateCounter<long>("rlhf.rating.commits", "{commit}", "Rating write transactions committed");

    /// <summary>Rating writes (hand-outs, votes, skips) per group commit.</summary>
    public static readonly Histogram<int> RatingCommitWrites =
        meter.CreateHistogram<int>("rlhf.rating.commit.writes", "{write}", "Rating writes per group commit");

    /// <summary>Wall time per optimisation step of a training job, tagged with the job kind.</summary>
    public static readonly Histogram<double> TrainingStepDuration =
        meter.CreateHistogram<double>("rlhf.training.step.duration", "s", "Time per training step");

    private static OperationsSample? sample;

    static RlhfMetrics()
    {
        meter.CreateObservableGauge("rlhf.leases.open", () => sample?.OpenLeases ?? 0, "{lease}", "Live assignment leases");
        meter.CreateObservableGauge("rlhf.jobs.queued", () => sample?.QueuedJobs ?? 0, "{job}", "Jobs waiting in the queue");
        meter.CreateObservableGauge("rlhf.jobs.running", () => sample?.RunningJobs ?? 0, "{job}", "Jobs running");
        meter.CreateObservableGauge("rlhf.jobs.queued.oldest_age", () => sample?.OldestQueuedAgeSeconds ?? 0, "s",
            "Age of the oldest queued job");
    }

    /// <summary>The latest database sample the gauges report.</summary>
    public static OperationsSample? LatestSample => Volatile.Read(ref sample);

    public static void Publish(OperationsSample latest) => Volatile.Write(ref sample, latest);

    /// <summary>Seconds since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double SecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
