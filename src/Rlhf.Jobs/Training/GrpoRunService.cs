using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Microsoft.EntityFrameworkCore;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>Checks and queues GRPO runs; reads their sample tables.</summary>
public sealed class GrpoRunService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit)
{
    /// <summary>Queues the run, or says why not: <see cref="EnqueueOutcome.NotFound"/> when the project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(GrpoRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        var errors = request.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (policy, reward, projectExists) = await PolicyRunChecks.AddProblemsAsync(db, request.PolicyModelId, request.RewardModelId, request.ProjectId, request.Name, actor, errors, ct);
        return await queue.EnqueueAsync(audit, GrpoRunJobHandler.JobKind, request, errors, notFound: !projectExists, actor, request.ProjectId,
            jobId => ("grpo-run.queued", request.Name, $"job {jobId}: {policy!.Name} against {reward!.Name}"), ct);
    }

    /// <summary>The sample tables written so far, newest update first.</summary>
    public Task<IReadOnlyList<PpoSample>> ReadSamplesAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadSamplesAsync(ct);
}
