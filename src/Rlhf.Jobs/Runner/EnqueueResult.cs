namespace Rlhf.Jobs.Runner;

/// <summary>The queued job's id, or why nothing was queued (<see cref="Errors"/> are sentences for the user).</summary>
public sealed record EnqueueResult(EnqueueOutcome Outcome, long? JobId, IReadOnlyList<string> Errors)
{
    public static EnqueueResult Queued(long jobId) => new(EnqueueOutcome.Queued, jobId, []);

    public static EnqueueResult Refused(EnqueueOutcome outcome, IReadOnlyList<string> errors) => new(outcome, null, errors);

    /// <summary>As the (job id, errors) pair callers read: <c>var (jobId, errors) = await ...EnqueueAsync(...)</c>.</summary>
    public void Deconstruct(out long? jobId, out IReadOnlyList<string> errors) => (jobId, errors) = (JobId, Errors);
}
