using Microsoft.EntityFrameworkCore;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Runs;

namespace Rlhf.Jobs.Training;

/// <summary>Checks an SFT run request against the database and queues it; keeps an uploaded SFT file for it.</summary>
public sealed class SftRunService(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit)
{
    /// <summary>Queues the run, or says why not: <see cref="EnqueueOutcome.NotFound"/> when its project does not exist.</summary>
    public async Task<EnqueueResult> EnqueueAsync(SftRunRequest request, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (errors, baseModel, projectMissing) = await RunInputs.CheckAsync(db, request, request.BaseModelId, request.ProjectId, request.DataFile, actor, ct);
        return await queue.EnqueueAsync(audit, SftRunJobHandler.JobKind, request, errors, notFound: projectMissing, actor, request.ProjectId,
            jobId => ("sft-run.queued", request.Name, $"job {jobId} from {baseModel!.Name}"), ct);
    }

    /// <summary>Saves an uploaded TRL SFT (or preference) file under the data folder and returns its path.</summary>
    public Task<string> SaveUploadAsync(Stream upload, CancellationToken ct = default) => RunInputs.SaveUploadAsync(paths, upload, "sft", ct);
}
