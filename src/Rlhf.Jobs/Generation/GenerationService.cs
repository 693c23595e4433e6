using Microsoft.EntityFrameworkCore;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Generation;

/// <summary>Checks a generation request against the database and queues it as a job.</summary>
public sealed class GenerationService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, AuditLog audit)
{
    /// <summary>Queues the generation, or says why not: <see cref="EnqueueOutcome.NotFound"/> when the project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(GenerationRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        var errors = request.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().VisibleTo(db, actor).SingleOrDefaultAsync(p => p.Id == request.ProjectId, ct);
        if (project is null) errors.Add($"Project {request.ProjectId} does not exist.");
        else if (!await db.Prompts.AnyAsync(p => p.ProjectId == request.ProjectId, ct)) errors.Add($"Project {project.Name} has no prompts yet.");
        foreach (var id in request.ModelIds.Distinct())
            if (!await db.Models.AnyAsync(m => m.Id == id, ct)) errors.Add($"Model {id} is not in the registry.");
        return await queue.EnqueueAsync(audit, GenerationJobHandler.JobKind, request, errors, notFound: project is null, actor, request.ProjectId,
            jobId => ("generation.queued", project!.Name, $"job {jobId}: models [{string.Join(",", request.ModelIds)}], {request.ResponsesPerPrompt} per prompt"), ct);
    }
}
