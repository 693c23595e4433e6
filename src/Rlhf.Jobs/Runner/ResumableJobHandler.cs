namespace Rlhf.Jobs.Runner;

/// <summary>
/// A handler whose job continues from what it already wrote when run again (<see cref="IJobHandler.CanResume"/>), and
/// whose payload is checked before any work: a payload that does not validate fails the job with its problems.
/// </summary>
public abstract class ResumableJobHandler<TRequest> : IJobHandler where TRequest : IJobRequest
{
    public abstract string Kind { get; }

    public bool CanResume => true;

    public Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        var request = context.Payload<TRequest>();
        if (request.Validate() is { Count: > 0 } errors) throw new JobFailedException(string.Join(" ", errors));
        return RunAsync(context, request, cancellationToken);
    }

    /// <summary>Runs the job of a valid <paramref name="request"/>.</summary>
    protected abstract Task RunAsync(JobContext context, TRequest request, CancellationToken ct);
}
