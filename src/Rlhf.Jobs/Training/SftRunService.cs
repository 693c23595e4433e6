using Microsoft.EntityFrameworkCore;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
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
        var errors = request.Validate().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var baseModel = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == request.BaseModelId, ct);
        if (baseModel is null) errors.Add($"Base model {request.BaseModelId} is not in the registry.");
        var projectMissing = request.ProjectId is { } p && !await db.Projects.VisibleTo(db, actor).AnyAsync(x => x.Id == p, ct);
        if (projectMissing) errors.Add($"Project {request.ProjectId} does not exist.");
        if (request.DataFile is { Length: > 0 } file && !File.Exists(file)) errors.Add($"The data file {file} does not exist.");
        if (await RunName.TakenAsync(db, request.Name, ct) is { } taken) errors.Add(taken);
        return await queue.EnqueueAsync(audit, SftRunJobHandler.JobKind, request, errors, notFound: projectMissing, actor, request.ProjectId,
            jobId => ("sft-run.queued", request.Name, $"job {jobId} from {baseModel!.Name}"), ct);
    }

    /// <summary>Saves an uploaded TRL SFT (or preference) file under the data folder and returns its path.</summary>
    public async Task<string> SaveUploadAsync(Stream upload, CancellationToken ct = default)
    {
        var folder = Path.Combine(paths.DataFolder, "uploads");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"sft-{Guid.NewGuid():N}.jsonl");
        await using var file = File.Create(path);
        await upload.CopyToAsync(file, ct);
        return path;
    }
}
