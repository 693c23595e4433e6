using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Projects;
using Rlhf.Jobs.Generation;
using Rlhf.Jobs.Runs;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Closes the loop: from a finished PPO run, one action makes a rating project on the held-out prompts of the run's
/// project, in the same pools, whose comparisons set the new policy's response against the reference policy's.
/// </summary>
public sealed class LoopService(IDbContextFactory<RlhfDbContext> contexts, RunCatalog runs, GenerationService generation, TimeProvider clock)
{
    public async Task<(int? ProjectId, long? GenerationJobId, IReadOnlyList<string> Errors)> RateAgainstReferenceAsync(long ppoJobId, AuditActor? actor, CancellationToken ct = default)
    {
        var run = await runs.GetAsync(ppoJobId, actor, ct);
        if (run is null || run.Kind != RunKind.Ppo) return (null, null, [$"There is no PPO run {ppoJobId}."]);
        if (run.Status != JobStatus.Succeeded) return (null, null, [$"PPO run {ppoJobId} has not finished."]);
        if (run.Settings is not PpoRunRequest request) return (null, null, [$"The settings of PPO run {ppoJobId} cannot be read."]);

        await using var db = await contexts.CreateDbContextAsync(ct);
        var policy = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.ProducedByJobId == ppoJobId && m.Kind == ModelKind.Policy, ct);
        if (policy?.ParentId is not { } referenceId) return (null, null, [$"PPO run {ppoJobId} registered no policy."]);
        var reference = await db.Models.AsNoTracking().SingleAsync(m => m.Id == referenceId, ct);
        var source = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.ProjectId, ct);
        if (source is null) return (null, null, [$"The run's project {request.ProjectId} no longer exists."]);
        var heldOut = (await db.Prompts.AsNoTracking().Where(p => p.ProjectId == source.Id).OrderBy(p => p.Id).ToListAsync(ct))
            .Where(p => PromptSplit.IsHeldOut(p.Id, request.HeldOutFraction)).ToList();
        if (heldOut.Count == 0) return (null, null, ["The run held out no prompts (held-out share 0); there is nothing new to rate."]);

        var name = $"{policy.Name} vs {reference.Name}";
        if (await db.Projects.AnyAsync(p => p.Name == name, ct)) return (null, null, [$"A project named '{name}' already exists."]);
        var now = clock.GetUtcNow().UtcDateTime;
        var project = new Project
        {
            Name = name, Status = ProjectStatus.Active, Overlap = source.Overlap, GoldRate = 0, LeaseMinutes = source.LeaseMinutes,
            Guidelines = source.Guidelines, CreatedAtUtc = now, CreatedById = actor?.UserId,
            // The name says which models compete; raters see the source project's title for raters instead (blinding).
            RaterTitle = source.RaterTitle, RaterDescription = source.RaterDescription,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        foreach (var pool in await db.ProjectPools.Where(pp => pp.ProjectId == source.Id).Select(pp => pp.PoolId).ToListAsync(ct))
            db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = pool });
        // The new project belongs to whoever asked for it, and the source project's researchers keep working on it.
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == source.Id).Select(m => m.UserId).ToListAsync(ct);
        await ProjectMemberService.AddOwnerAsync(db, project.Id, actor?.UserId, now, ct);
        db.ProjectMembers.AddRange(members.Where(m => m != actor?.UserId)
            .Select(m => new ProjectMember { ProjectId = project.Id, UserId = m, AddedAtUtc = now, AddedById = actor?.UserId }));
        db.Prompts.AddRange(heldOut.Select(p => new Prompt { ProjectId = project.Id, Text = p.Text, MessagesJson = p.MessagesJson, CreatedAtUtc = now }));
        AuditLog.Add(db, actor, "loop.rating-project", name, $"from PPO run {ppoJobId}: {heldOut.Count} held-out prompts");
        await db.SaveChangesAsync(ct);

        var (jobId, errors) = await generation.EnqueueAsync(new GenerationRequest
        {
            ProjectId = project.Id, ModelIds = [policy.Id, reference.Id], ResponsesPerPrompt = 1,
            MaxNewTokens = request.Config.ResponseLength, Temperature = request.Config.Temperature, TopP = 1.0, Seed = request.Config.Seed,
        }, actor, ct);
        return (project.Id, jobId, errors);
    }
}
