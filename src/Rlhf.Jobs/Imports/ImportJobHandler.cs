using Rlhf.Data.Audit;
using Rlhf.Data.Exchange;
using Rlhf.Data.Hosting;
using Rlhf.Jobs.Runner;

namespace Rlhf.Jobs.Imports;

/// <summary>
/// Runs a large import (<see cref="ImportService"/>) as a job, with progress. Not resumable: an import writes in one
/// transaction, so a runner that dies mid-import leaves nothing behind and the job ends failed with the reason; the user
/// uploads again. The uploaded file is deleted when the job ends (succeeded, failed or cancelled).
/// <para>
/// Progress moves while the file is validated (0..0.5, published at most every 250 ms). While the import writes, it
/// holds SQLite's write lock, so nothing (progress, heartbeats) can be written to the database by other connections
/// until it commits; the bar then jumps to 1 with the summary. The runner's heartbeat waits too (up to SQLite's 30 s
/// busy timeout, then retries), so before writing the job extends its own lease by a generous estimate of the write
/// time (<see cref="WriteLease"/>): another runner must not take a committing import for a dead one.
/// </para>
/// </summary>
public sealed class ImportJobHandler(ImportService imports, RlhfPaths paths, JobQueue queue) : IJobHandler
{
    public const string JobKind = "import";
    /// <summary>At most this many bad lines are written to the job log (the report counts all).</summary>
    public const int MaxLoggedErrors = 100;

    public string Kind => JobKind;
    public bool CanResume => false;

    public async Task RunAsync(JobContext context, CancellationToken ct)
    {
        var request = context.Payload<ImportJobRequest>();
        var path = ImportJobs.CheckedPath(paths, request.FilePath);
        try
        {
            if (path is null) throw new JobFailedException("The import file is not in the imports folder; nothing was imported.");
            if (!File.Exists(path)) throw new JobFailedException($"The uploaded file {request.FileName} is gone; upload it again.");

            await context.LogAsync($"Importing {request.FileName} ({new FileInfo(path).Length:N0} bytes, {request.Format.ToString().ToLowerInvariant()}) into project {request.ProjectId}.", ct: ct);
            var reporter = new Reporter(context, queue, ct);
            ImportReport report;
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan))
                report = await imports.ImportAsync(request.ProjectId, file, request.Format, request.Options,
                    new AuditActor(request.ActorId, request.ActorName), reporter, ct);

            foreach (var error in report.Errors.Take(MaxLoggedErrors))
                await context.LogAsync(error.ToString(), report.Committed ? "warning" : "error", ct);
            foreach (var warning in report.Warnings.Take(MaxLoggedErrors))
                await context.LogAsync(warning.ToString(), "warning", ct);
            if (report.ErrorCount > Math.Min(report.Errors.Count, MaxLoggedErrors))
                await context.LogAsync($"... {report.ErrorCount - Math.Min(report.Errors.Count, MaxLoggedErrors)} more errors not listed.", report.Committed ? "warning" : "error", ct);

            if (!report.Committed)
            {
                var first = report.Errors.FirstOrDefault()?.ToString() ?? "nothing to import";
                throw new JobFailedException(report.ErrorCount <= 1
                    ? $"Nothing imported: {first}"
                    : $"Nothing imported: {report.ErrorCount} errors, the first: {first}");
            }
            var summary = Summary(report);
            await context.LogAsync(summary, ct: ct);
            await context.ReportAsync(1, summary, ct);
        }
        finally
        {
            if (path is not null)
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>One sentence: what was imported and skipped.</summary>
    public static string Summary(ImportReport r) =>
        $"Imported {r.ImportedRecords:N0} of {r.Records:N0} records: {r.Prompts:N0} prompts, {r.Responses:N0} responses, " +
        $"{r.Comparisons:N0} comparisons, {r.Votes:N0} imported votes" +
        (r.BadRecords > 0 ? $"; {r.BadRecords:N0} bad records skipped" : "") +
        (r.IdenticalPreferencesSkipped > 0 ? $"; {r.IdenticalPreferencesSkipped:N0} preferences with identical chosen and rejected skipped" : "") +
        (r.DuplicateResponsesSkipped > 0 ? $"; {r.DuplicateResponsesSkipped:N0} duplicate responses not stored" : "") +
        $" ({r.Elapsed.TotalSeconds:0.0} s).";

    /// <summary>How long a job's lease is extended for its write phase: 5 minutes plus 10 seconds per MB of input.</summary>
    public static TimeSpan WriteLease(long totalBytes) => TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(10.0 * totalBytes / 1_000_000);

    /// <summary>
    /// Publishes validation progress (throttled) through the job. Called synchronously by the import between records;
    /// it never touches the database while the import holds the write lock.
    /// </summary>
    private sealed class Reporter(JobContext context, JobQueue queue, CancellationToken ct) : IProgress<ImportProgress>
    {
        private long lastTicks;
        private bool announcedWriting;

        public void Report(ImportProgress value)
        {
            if (value.DatabaseLocked) return;
            string message;
            if (value.Phase == ImportPhase.Validating)
            {
                var now = Environment.TickCount64;
                if (now - lastTicks < 250 && value.BytesRead < value.TotalBytes) return;
                lastTicks = now;
                message = $"checking: {value.Records:N0} records, {value.BytesRead * 100 / Math.Max(1, value.TotalBytes)}% read";
            }
            else if (value.Phase == ImportPhase.Writing && !announcedWriting)
            {
                announcedWriting = true;
                message = "writing (the bar moves again when the import commits)";
                if (context.Job.LeaseOwner is { } owner)
                    queue.HeartbeatAsync(context.Job.Id, owner, WriteLease(value.TotalBytes), ct).GetAwaiter().GetResult();
            }
            else return;
            context.ReportAsync(value.Fraction, message, ct).GetAwaiter().GetResult();
        }
    }
}
