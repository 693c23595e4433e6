using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Hosting;
using Rlhf.Data.Queries;
using Rlhf.Jobs.Runs;

namespace Rlhf.Jobs.Training;

/// <summary>
/// What every run trained from a base model and a project or an uploaded file checks before it is queued (the model is
/// registered, the project exists for the actor, the file exists, the name is free), and where uploads are kept.
/// </summary>
internal static class RunInputs
{
    /// <summary>The request's own problems plus those of its references; the base model when registered.</summary>
    public static async Task<(List<string> Errors, Model? BaseModel, bool ProjectMissing)> CheckAsync(RlhfDbContext db, IRunSettings request,
        int baseModelId, int? projectId, string? dataFile, AuditActor? actor, CancellationToken ct)
    {
        var errors = request.Validate().ToList();
        var baseModel = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == baseModelId, ct);
        if (baseModel is null) errors.Add($"Base model {baseModelId} is not in the registry.");
        var projectMissing = projectId is { } p && !await db.Projects.VisibleTo(db, actor).AnyAsync(x => x.Id == p, ct);
        if (projectMissing) errors.Add($"Project {projectId} does not exist.");
        if (dataFile is { Length: > 0 } file && !File.Exists(file)) errors.Add($"The data file {file} does not exist.");
        if (await RunName.TakenAsync(db, request.Name, ct) is { } taken) errors.Add(taken);
        return (errors, baseModel, projectMissing);
    }

    /// <summary>Saves an uploaded JSONL file under the data folder's uploads as "{prefix}-{guid}.jsonl" and returns its path.</summary>
    public static async Task<string> SaveUploadAsync(RlhfPaths paths, Stream upload, string prefix, CancellationToken ct)
    {
        var folder = Path.Combine(paths.DataFolder, "uploads");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{prefix}-{Guid.NewGuid():N}.jsonl");
        await using var file = File.Create(path);
        await upload.CopyToAsync(file, ct);
        return path;
    }
}
