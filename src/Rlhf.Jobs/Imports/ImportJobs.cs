using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
using Rlhf.Data.Exchange;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Imports;

/// <summary>Saves an upload under the data folder's imports/ and queues an import job for it.</summary>
public sealed class ImportJobs(IDbContextFactory<RlhfDbContext> contexts, JobQueue queue, RlhfPaths paths, AuditLog audit, TimeProvider clock, ImportSettings limits)
{
    /// <summary>Uploads left by a job that never ran to its end (a crashed process) are removed after this long.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromDays(2);

    public static string Folder(RlhfPaths paths) => Path.Combine(paths.DataFolder, "imports");

    /// <summary>
    /// Copies <paramref name="upload"/> to a new file in the imports folder and queues the job. The format comes from
    /// <paramref name="format"/> or else the file name's extension. Returns the job id, or the errors (nothing saved):
    /// <see cref="EnqueueOutcome.NotFound"/> when the project does not exist, <see cref="EnqueueOutcome.TooLarge"/> when the
    /// upload runs past <see cref="ImportSettings.MaxUploadBytes"/> (the partial copy is deleted), else
    /// <see cref="EnqueueOutcome.Refused"/>.
    /// </summary>
    public async Task<EnqueueResult> EnqueueAsync(
        int projectId, Stream upload, string fileName, ImportOptions options, AuditActor? actor,
        ImportFormat? format = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        var resolved = format ?? ImportFormats.FromFileName(fileName);
        if (resolved is null) errors.Add($"Cannot tell the format of '{Path.GetFileName(fileName)}': name it .jsonl or .csv, or choose the format.");
        string? projectName;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            projectName = await db.Projects.AsNoTracking().VisibleTo(db, actor).Where(p => p.Id == projectId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        if (projectName is null) return EnqueueResult.Refused(EnqueueOutcome.NotFound, [$"Project {projectId} does not exist."]);
        if (errors.Count > 0) return EnqueueResult.Refused(EnqueueOutcome.Refused, errors);

        var folder = Folder(paths);
        Directory.CreateDirectory(folder);
        await RemoveOrphansAsync(folder, ct);
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}{(resolved == ImportFormat.Csv ? ".csv" : ".jsonl")}");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
                if (!await CopyAtMostAsync(upload, file, limits.MaxUploadBytes, ct))
                {
                    await file.DisposeAsync();
                    File.Delete(path);
                    return EnqueueResult.Refused(EnqueueOutcome.TooLarge, [TooLargeMessage(limits)]);
                }
            var request = new ImportJobRequest
            {
                ProjectId = projectId, FilePath = path, FileName = Path.GetFileName(fileName), Format = resolved!.Value,
                Options = options, ActorId = actor?.UserId, ActorName = actor?.Name ?? "system",
            };
            var job = await queue.EnqueueAsync(ImportJobHandler.JobKind, request, actor?.UserId, projectId, ct);
            await audit.RecordAsync(actor, "import.queued", projectName!, $"job {job.Id}: {request.FileName} ({new FileInfo(path).Length} bytes)", ct);
            return EnqueueResult.Queued(job.Id);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The one sentence for an upload over the limit (the page, the API's 413 and this service say the same).</summary>
    public static string TooLargeMessage(ImportSettings limits) =>
        $"The upload is larger than {Utf8LineReader.Describe(limits.MaxUploadBytes)} (setting {ImportSettings.Section}:{nameof(ImportSettings.MaxUploadBytes)}); nothing was imported.";

    /// <summary>Copies until the end of <paramref name="source"/>; false (stopping there) once more than <paramref name="max"/> bytes came.</summary>
    private static async Task<bool> CopyAtMostAsync(Stream source, Stream target, long max, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += n;
            if (total > max) return false;
            await target.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        return true;
    }

    /// <summary>The full path when it lies directly in the imports folder, else null (a job never reads or deletes elsewhere).</summary>
    public static string? CheckedPath(RlhfPaths paths, string? filePath)
    {
        if (string.IsNullOrWhiteSpace(filePath)) return null;
        var full = Path.GetFullPath(filePath);
        var folder = Path.GetFullPath(Folder(paths));
        return string.Equals(Path.GetDirectoryName(full), folder, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>Deletes uploads older than <see cref="OrphanAge"/> that no queued or running import job refers to.</summary>
    private async Task RemoveOrphansAsync(string folder, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - OrphanAge;
        var old = new DirectoryInfo(folder).EnumerateFiles().Where(f => f.LastWriteTimeUtc < cutoff).ToList();
        if (old.Count == 0) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var live = await db.Jobs.AsNoTracking()
            .Where(j => j.Kind == ImportJobHandler.JobKind && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
            .Select(j => j.PayloadJson).ToListAsync(ct);
        foreach (var f in old)
            if (!live.Any(p => p.Contains(f.Name, StringComparison.Ordinal)))
                try { f.Delete(); } catch (IOException) { }
    }
}
