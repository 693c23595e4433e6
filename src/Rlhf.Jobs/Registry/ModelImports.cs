using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Registry;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Registry;

/// <summary>Queues a model import from the <see cref="ModelImportRoot"/> (what the Models page calls).</summary>
public sealed class ModelImports(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, ModelImportRoot root, AuditLog audit)
{
    /// <summary>The import folder, to show on the page.</summary>
    public string Root => root.Folder;

    /// <summary>
    /// Checks what can be checked at once (a name, a folder in the import folder, no model of that name) and queues the
    /// job that checks the checkpoint and registers it. Returns the job id, or the errors (nothing queued).
    /// </summary>
    public async Task<EnqueueResult> EnqueueAsync(string folder, string name, ModelKind kind, AuditActor? actor, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        var errors = new List<string>();
        if (name.Length is 0 or > 200) errors.Add("Give the model a name of 1 to 200 characters.");
        if (!Enum.IsDefined(kind)) errors.Add("The kind must be base, reward or policy.");
        if (root.Resolve(folder) is null) errors.Add(root.NotThere(folder));
        if (name.Length > 0)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (await db.Models.AnyAsync(m => m.Name == name, ct)) errors.Add($"A model named '{name}' already exists.");
        }
        if (errors.Count > 0) return EnqueueResult.Refused(EnqueueOutcome.Refused, errors);

        var request = new ModelImportRequest { Folder = folder.Trim(), Name = name, Kind = kind, ActorId = actor?.UserId, ActorName = actor?.Name ?? "system" };
        var job = await queue.EnqueueAsync(ModelImportJobHandler.JobKind, request, actor?.UserId, ct);
        await audit.RecordAsync(actor, "model.import.queued", name, $"job {job.Id}: {request.Folder} ({kind})", ct);
        return EnqueueResult.Queued(job.Id);
    }
}
