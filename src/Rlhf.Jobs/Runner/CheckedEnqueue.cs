using Rlhf.Data.Audit;

namespace Rlhf.Jobs.Runner;

/// <summary>
/// The end of every "check, then queue" service (generation, reward and PPO runs): nothing is queued or recorded when the
/// checks found errors; otherwise the job is queued and its audit entry written. The outcome is typed, so callers never
/// read the error text.
/// </summary>
public static class CheckedEnqueue
{
    /// <param name="errors">the checks' sentences for the user; empty when the request may be queued</param>
    /// <param name="notFound">what the request is for does not exist (<see cref="EnqueueOutcome.NotFound"/>, e.g. a 404)</param>
    /// <param name="projectId">the project the job belongs to (who may see and cancel it follows the project's members)</param>
    /// <param name="audited">the audit entry's action, target and details (given the job id)</param>
    public static async Task<EnqueueResult> EnqueueAsync<T>(this JobQueue queue, AuditLog audit, string kind, T request,
        IReadOnlyList<string> errors, bool notFound, AuditActor? actor, int? projectId, Func<long, (string Action, string Target, string Details)> audited,
        CancellationToken ct)
    {
        if (errors.Count > 0) return EnqueueResult.Refused(notFound ? EnqueueOutcome.NotFound : EnqueueOutcome.Refused, errors);
        var job = await queue.EnqueueAsync(kind, request, actor?.UserId, projectId, ct);
        var (action, target, details) = audited(job.Id);
        await audit.RecordAsync(actor, action, target, details, ct);
        return EnqueueResult.Queued(job.Id);
    }
}
