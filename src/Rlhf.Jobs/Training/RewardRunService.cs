using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;

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

    /// <summary>Saves an uploaded TRL preference file under the data folder and returns its path.</summary>
    public Task<string> SaveUploadAsync(Stream upload, CancellationToken ct = default) => RunInputs.SaveUploadAsync(paths, upload, "preferences", ct);

    /// <summary>The validation pairs a finished run's model got wrong (empty when none or not written).</summary>
    public Task<IReadOnlyList<RewardDisagreement>> ReadDisagreementsAsync(long jobId, CancellationToken ct = default) =>
        RunArtifacts.Of(paths, jobId).ReadDisagreementsAsync(ct);
}
