using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Training;

/// <summary>Checks and queues PPO runs; reads their sample tables.</summary>
public sealed class PpoRunService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit)
{
    /// <summary>Queues the run, or says why not: <see cref="EnqueueOutcome.NotFound"/> when the project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(PpoRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        var errors = request.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var policy = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == request.PolicyModelId, ct);
        var reward = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == request.RewardModelId, ct);
        if (policy is null) errors.Add($"Policy {request.PolicyModelId} is not in the registry.");
        else if (policy.Kind == ModelKind.Reward) errors.Add($"{policy.Name} is a reward model, not a policy.");
        if (reward is null) errors.Add($"Reward model {request.RewardModelId} is not in the registry.");
        else if (reward.Kind != ModelKind.Reward) errors.Add($"{reward.Name} is not a reward model.");
        var projectExists = await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == request.ProjectId, ct);
        if (!projectExists) errors.Add($"Project {request.ProjectId} does not exist.");
        else if (!await db.Prompts.AnyAsync(p => p.ProjectId == request.ProjectId, ct)) errors.Add($"Project {request.ProjectId} has no prompts.");
        if (await RunName.TakenAsync(db, request.Name, ct) is { } taken) errors.Add(taken);
        return await queue.EnqueueAsync(audit, PpoRunJobHandler.JobKind, request, errors, notFound: !projectExists, actor, request.ProjectId,
            jobId => ("ppo-run.queued", request.Name, $"job {jobId}: {policy!.Name} against {reward!.Name}"), ct);
    }

    /// <summary>The sample tables written so far, newest update first.</summary>
    public Task<IReadOnlyList<PpoSample>> ReadSamplesAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadSamplesAsync(ct);
}
