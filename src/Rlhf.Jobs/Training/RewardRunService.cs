using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>Checks a reward run request against the database and queues it; keeps an uploaded TRL file for it.</summary>
public sealed class RewardRunService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit)
{
    /// <summary>Queues the run, or says why not: <see cref="EnqueueOutcome.NotFound"/> when its project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(RewardRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (errors, baseModel, projectMissing) = await RunInputs.CheckAsync(db, request, request.BaseModelId, request.ProjectId, request.DataFile, actor, ct);
        return await queue.EnqueueAsync(audit, RewardRunJobHandler.JobKind, request, errors, notFound: projectMissing, actor, request.ProjectId,
            jobId => ("reward-run.queued", request.Name, $"job {jobId} from {baseModel!.Name}"), ct);
    }

    /// <summary>
    /// What the run would do: its pairs split as the trainer splits them, its optimizer steps and a time estimate; null
    /// when its settings have problems (<see cref="RewardRunRequest.Problems"/>). Data it cannot read is a warning.
    /// </summary>
    public async Task<RunPlan?> PlanAsync(RewardRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        if (request.Problems().Count > 0) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var warnings = new List<string>();
        List<PreferencePair> pairs = [];
        try
        {
            if (request.ProjectId is { } projectId)
            {
                if (await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId, ct)) pairs = await PreferenceData.FromProjectAsync(db, projectId, request.Policy, ct);
                else warnings.Add($"Project {projectId} does not exist.");
            }
            else if (File.Exists(request.DataFile)) pairs = await PreferenceData.FromTrlFileAsync(request.DataFile, ct);
            else warnings.Add("Upload the preference file first.");
        }
        catch (FormatException ex) { warnings.Add($"The file cannot be read: {ex.Message}"); }
        var split = PreferenceSplit.Create(pairs, request.Config.ValidationFraction, request.Config.Seed);
        if (pairs.Count > 0 && split.Train.Count == 0) warnings.Add("No pairs are left for training.");
        else if (pairs.Count == 0 && warnings.Count == 0) warnings.Add("No pairs pass the selection: the run would fail. Loosen the selection or wait for more votes.");
        if (pairs.Count > 0 && split.Validation.Count == 0) warnings.Add("No validation pairs: the run's accuracy cannot be measured.");
        var steps = request.Config.TotalSteps(split.Train.Count);
        var (time, basis) = RunPace.Estimate(await RunPace.LatestAsync(db, RunKind.Reward, actor, ct), steps, "steps");
        return new RunPlan
        {
            DataUnit = "pairs", Train = split.Train.Count, HeldOut = split.Validation.Count, HeldOutUse = "for validation",
            Steps = steps, StepUnit = "steps", EstimatedTime = time, EstimateBasis = basis, Warnings = warnings,
        };
    }

    /// <summary>Saves an uploaded TRL preference file under the data folder and returns its path.</summary>
    public Task<string> SaveUploadAsync(Stream upload, CancellationToken ct = default) => RunInputs.SaveUploadAsync(paths, upload, "preferences", ct);

    /// <summary>The validation pairs a finished run's model got wrong (empty when none or not written).</summary>
    public Task<IReadOnlyList<RewardDisagreement>> ReadDisagreementsAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadDisagreementsAsync(ct);
}
