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
        var (policy, reward, projectExists) = await PolicyRunChecks.AddProblemsAsync(db, request.PolicyModelId, request.RewardModelId, request.ProjectId, request.Name, actor, errors, ct);
        return await queue.EnqueueAsync(audit, PpoRunJobHandler.JobKind, request, errors, notFound: !projectExists, actor, request.ProjectId,
            jobId => ("ppo-run.queued", request.Name, $"job {jobId}: {policy!.Name} against {reward!.Name}"), ct);
    }

    /// <summary>
    /// What the run would do: the project's prompts split into training and held-out prompts as the job splits them, its
    /// updates (each <see cref="PpoConfig.BatchSize"/> rollouts) and a time estimate; null when its settings have problems.
    /// </summary>
    public async Task<RunPlan?> PlanAsync(PpoRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        if (request.Problems().Count > 0) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var warnings = new List<string>();
        List<long> prompts = [];
        if (await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == request.ProjectId, ct))
            prompts = await db.Prompts.Where(p => p.ProjectId == request.ProjectId).Select(p => p.Id).ToListAsync(ct);
        else warnings.Add($"Project {request.ProjectId} does not exist.");
        var heldOut = prompts.Count(id => PromptSplit.IsHeldOut(id, request.HeldOutFraction));
        if (prompts.Count - heldOut == 0) warnings.Add("No prompts are left for training: the run would fail.");
        else if (heldOut == 0) warnings.Add("No prompts are held out: the result cannot be rated on prompts it was not trained on.");
        var (time, basis) = RunPace.Estimate(await RunPace.LatestAsync(db, RunKind.Ppo, actor, ct), request.Config.Steps, "updates");
        return new RunPlan
        {
            DataUnit = "prompts", Train = prompts.Count - heldOut, HeldOut = heldOut, HeldOutUse = "held out for rating the result",
            Steps = request.Config.Steps, StepUnit = "updates", EstimatedTime = time, EstimateBasis = basis, Warnings = warnings,
        };
    }

    /// <summary>The sample tables written so far, newest update first.</summary>
    public Task<IReadOnlyList<PpoSample>> ReadSamplesAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadSamplesAsync(ct);
}
