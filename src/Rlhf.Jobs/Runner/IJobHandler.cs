namespace Rlhf.Jobs.Runner;

/// <summary>Runs one kind of job. Registered in DI; the runner picks the handler by <see cref="Kind"/>.</summary>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs, e.g. "generation".</summary>
    string Kind { get; }

    /// <summary>
    /// True when a job that was running when its runner died can be run again: the handler then continues from
    /// what it already wrote (its last checkpoint). False: such a job ends failed with the reason shown.
    /// </summary>
    bool CanResume { get; }

    Task RunAsync(JobContext context, CancellationToken cancellationToken);
}
