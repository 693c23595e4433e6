using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;

namespace Rlhf.Jobs.Training;

/// <summary>Checks a DPO run request against the database and queues it; reads the validation pairs a finished run gets wrong.</summary>
public sealed class DpoRunService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit)
{
    /// <summary>Queues the run, or says why not: <see cref="EnqueueOutcome.NotFound"/> when its project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(DpoRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        var errors = request.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var policy = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == request.PolicyModelId, ct);
        if (policy is null) errors.Add($"Policy {request.PolicyModelId} is not in the registry.");
        else if (policy.Kind == ModelKind.Reward) errors.Add($"{policy.Name} is a reward model, not a policy.");
        if (request.ReferenceModelId is { } referenceId)
        {
            var reference = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == referenceId, ct);
            if (reference is null) errors.Add($"Reference {referenceId} is not in the registry.");
            else if (reference.Kind == ModelKind.Reward) errors.Add($"{reference.Name} is a reward model, not a policy.");
        }
        var projectMissing = request.ProjectId is { } p && !await db.Projects.VisibleTo(db, actor).AnyAsync(x => x.Id == p, ct);
        if (projectMissing) errors.Add($"Project {request.ProjectId} does not exist.");
        if (request.DataFile is { Length: > 0 } file && !File.Exists(file)) errors.Add($"The data file {file} does not exist.");
        if (await RunName.TakenAsync(db, request.Name, ct) is { } taken) errors.Add(taken);
        return await queue.EnqueueAsync(audit, DpoRunJobHandler.JobKind, request, errors, notFound: projectMissing, actor, request.ProjectId,
            jobId => ("dpo-run.queued", request.Name, $"job {jobId} from {policy!.Name}"), ct);
    }

    /// <summary>The validation pairs a finished run's policy ranks against the raters (empty when none or not written).</summary>
    public Task<IReadOnlyList<RewardDisagreement>> ReadDisagreementsAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadDisagreementsAsync(ct);
}
