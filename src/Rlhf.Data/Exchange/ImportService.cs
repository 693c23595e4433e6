using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;

namespace Rlhf.Data.Exchange;

/// <summary>
/// Imports prompts, candidate responses and TRL preference data from JSONL or CSV into a project.
/// <para>
/// Two passes over the input: the first reads everything and finds every error without writing or locking anything;
/// the second writes the good records in ONE transaction, streaming (progress after every
/// <see cref="ImportOptions.BatchSize"/> records) through prepared inserts built from the EF model
/// (<see cref="BulkInserter{T}"/>, several times faster than SaveChanges, so the write lock is held for less time), so
/// memory stays flat and a failure or crash leaves the database as it was. By default any bad record imports nothing; with <see cref="ImportOptions.SkipBadLines"/> the good ones are
/// imported and the bad ones listed. A non-seekable input is first copied to a temporary file.
/// </para>
/// <para>
/// Records, per JSONL line (shape detected line by line) or CSV row:
/// prompt only (<c>{"prompt": "..."}</c> or <c>{"messages": [{"role","content"}...]}</c>: the conversation is kept in
/// Prompt.MessagesJson and its last user message in Prompt.Text);
/// prompt + candidates (<c>"responses": [{"text","source"}...]</c> or strings): distinct texts become Responses
/// (identical trimmed texts stored once), paired by <see cref="ImportOptions.Pairing"/> into Comparisons needing the
/// project's overlap k;
/// TRL preference (<c>"prompt","chosen","rejected"</c>, strings or message lists): two Responses, a Comparison whose A
/// is the chosen or the rejected response at random (seeded, so position does not leak into the data), needing one
/// vote, and that vote by the <see cref="ImportedRater"/> (strength 1 toward the chosen one, on a Submitted assignment).
/// </para>
/// The write pass holds SQLite's write lock from its first batch to its commit: other writers wait (up to the
/// connection's busy timeout, 30 s) meanwhile.
/// </summary>
public sealed class ImportService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, ImportSettings? settings = null)
{
    private readonly ImportSettings limits = settings ?? new ImportSettings();

    private const int ProgressEveryRecords = 1000;

    public async Task<ImportReport> ImportAsync(
        int projectId, Stream input, ImportFormat format, ImportOptions options, AuditActor? actor,
        IProgress<ImportProgress>? progress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options = options with
        {
            MaxLineBytes = Math.Min(options.MaxLineBytes, limits.MaxLineBytes),
            MaxResponsesPerPrompt = Math.Min(options.MaxResponsesPerPrompt, limits.MaxResponsesPerPrompt),
        };
        var watch = Stopwatch.StartNew();
        if (options.Validate() is { Count: > 0 } invalid)
            return Failed(format, invalid.Select(e => new ImportError(null, null, e)).ToList(), watch);
        if (!Enum.IsDefined(format))
            return Failed(format, [new ImportError(null, null, "The format must be jsonl or csv.")], watch);

        Project? project;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null) return Failed(format, [new ImportError(null, null, $"Project {projectId} does not exist.")], watch);

        FileStream? spool = null;
        try
        {
            var source = input;
            if (!input.CanSeek)
            {
                spool = new FileStream(Path.Combine(Path.GetTempPath(), $"rlhf-import-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew,
                    FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
                await input.CopyToAsync(spool, ct);
                spool.Position = 0;
                source = spool;
            }
            var start = source.Position;
            var total = source.Length - start;

            // Pass 1: validate everything; nothing is written, nothing is locked.
            var check = new Counters();
            var errors = new List<ImportError>();
            var warnings = new List<ImportError>();
            long errorCount = 0;
            var reader = new RecordSource(source, format, options);
            progress?.Report(new ImportProgress(ImportPhase.Validating, 0, total, 0, false));
            await foreach (var record in reader.ReadAllAsync(ct))
            {
                if (record.Item is not null) check.Good++;
                else if (record.Kind == ProblemKind.Warning)
                {
                    check.Warnings++;
                    if (warnings.Count < options.MaxReportedErrors) warnings.Add(record.Problem!);
                }
                else
                {
                    errorCount++;
                    if (errors.Count < options.MaxReportedErrors) errors.Add(record.Problem!);
                    if (record.Kind == ProblemKind.Fatal) check.Fatal = true;
                }
                if (record.Kind != ProblemKind.Fatal) check.Records++;
                if (check.Records % ProgressEveryRecords == 0)
                    progress?.Report(new ImportProgress(ImportPhase.Validating, reader.BytesRead, total, check.Records, false));
            }
            progress?.Report(new ImportProgress(ImportPhase.Validating, reader.BytesRead, total, check.Records, false));

            var badRecords = errorCount - (check.Fatal ? 1 : 0);
            if (check.Fatal || (errorCount > 0 && !options.SkipBadLines) || check.Good == 0)
            {
                if (!check.Fatal && errorCount == 0)
                {
                    errorCount = 1;
                    errors.Add(new ImportError(null, null, "Nothing to import: every record was skipped."));
                }
                return new ImportReport
                {
                    Format = format, Committed = false, Records = check.Records, BadRecords = badRecords,
                    IdenticalPreferencesSkipped = check.Warnings, BytesRead = reader.BytesRead, Errors = errors, Warnings = warnings,
                    ErrorCount = errorCount, Elapsed = watch.Elapsed,
                };
            }

            // Pass 2: write the good records in one transaction.
            source.Position = start;
            progress?.Report(new ImportProgress(ImportPhase.Writing, 0, total, 0, false));
            var written = await WriteAsync(project, source, format, options, actor, check.Good, total, progress, ct);
            progress?.Report(new ImportProgress(ImportPhase.Done, total, total, check.Records, false));
            return new ImportReport
            {
                Format = format, Committed = true, Records = check.Records, ImportedRecords = written.Good, BadRecords = badRecords,
                IdenticalPreferencesSkipped = check.Warnings, Prompts = written.Prompts, Responses = written.Responses,
                DuplicateResponsesSkipped = written.Duplicates, Comparisons = written.Comparisons, Votes = written.Votes,
                BytesRead = total, Errors = errors, Warnings = warnings, ErrorCount = errorCount, Elapsed = watch.Elapsed,
            };
        }
        finally
        {
            if (spool is not null) await spool.DisposeAsync();
        }
    }

    private async Task<Counters> WriteAsync(
        Project project, Stream source, ImportFormat format, ImportOptions options, AuditActor? actor, long expected,
        long total, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var counters = new Counters();
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var writer = new BatchWriter(db, project, options, clock);
        await using (writer)
        {
            var reader = new RecordSource(source, format, options);
            var batch = new List<ImportItem>(options.BatchSize);
            await foreach (var record in reader.ReadAllAsync(ct))
            {
                if (record.Item is null) continue;
                batch.Add(record.Item);
                counters.Good++;
                if (batch.Count < options.BatchSize) continue;
                await writer.WriteAsync(batch, counters, ct);
                batch.Clear();
                progress?.Report(new ImportProgress(ImportPhase.Writing, reader.BytesRead, total, counters.Good, true));
            }
            if (batch.Count > 0) await writer.WriteAsync(batch, counters, ct);
        }
        if (counters.Good != expected)
            throw new InvalidOperationException($"The input changed while it was imported ({expected} good records checked, {counters.Good} read back); nothing was imported.");

        AuditLog.Add(db, actor, "import.completed", project.Name,
            $"{format.ToString().ToLowerInvariant()}: {counters.Good} records, {counters.Prompts} prompts, {counters.Responses} responses, " +
            $"{counters.Comparisons} comparisons, {counters.Votes} imported votes");
        await db.SaveChangesAsync(ct);
        progress?.Report(new ImportProgress(ImportPhase.Writing, total, total, counters.Good, true));
        await tx.CommitAsync(ct);
        return counters;
    }

    /// <summary>Writes batches of good records through prepared inserts on the import's transaction.</summary>
    private sealed class BatchWriter(RlhfDbContext db, Project project, ImportOptions options, TimeProvider clock) : IAsyncDisposable
    {
        private readonly BulkInserter<Prompt> prompts = new(db);
        private readonly BulkInserter<Response> responses = new(db);
        private readonly BulkInserter<Comparison> comparisons = new(db);
        private BulkInserter<Assignment>? assignments;
        private BulkInserter<Vote>? votes;
        private string? importedRaterId;

        public async Task WriteAsync(List<ImportItem> batch, Counters counters, CancellationToken ct)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var item in batch)
            {
                var prompt = new Prompt { ProjectId = project.Id, Text = item.PromptText, MessagesJson = item.MessagesJson, CreatedAtUtc = now };
                await prompts.InsertAsync(prompt, ct);
                var stored = item.Responses
                    .Select(r => new Response { PromptId = prompt.Id, Text = r.Text, Source = r.Source, CreatedAtUtc = now }).ToList();
                await responses.InsertAsync(stored, ct);
                counters.Prompts++;
                counters.Responses += stored.Count;
                counters.Duplicates += item.DuplicatesDropped;

                if (item.IsPreference)
                {
                    var chosenIsA = Pairing.ForLine(options.Seed, item.Line).Next(2) == 0;
                    var comparison = new Comparison
                    {
                        ProjectId = project.Id, PromptId = prompt.Id, CreatedAtUtc = now, RequiredVotes = 1,
                        ResponseAId = chosenIsA ? stored[0].Id : stored[1].Id,
                        ResponseBId = chosenIsA ? stored[1].Id : stored[0].Id,
                    };
                    await comparisons.InsertAsync(comparison, ct);
                    await VoteAsync(comparison, chosenIsA ? VoteStrength.ABetter : VoteStrength.BBetter, now, ct);
                    counters.Comparisons++;
                    counters.Votes++;
                    continue;
                }
                var random = options.Pairing == PairingMode.Random ? Pairing.ForLine(options.Seed, item.Line) : null;
                foreach (var (a, b) in Pairing.Pairs(stored.Count, options.Pairing, options.PairsPerPrompt, random))
                {
                    await comparisons.InsertAsync(new Comparison
                    {
                        ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = stored[a].Id, ResponseBId = stored[b].Id,
                        RequiredVotes = project.Overlap, CreatedAtUtc = now,
                    }, ct);
                    counters.Comparisons++;
                }
            }
        }

        /// <summary>The imported pseudo-rater's vote (strength toward the chosen response) on a submitted assignment.</summary>
        private async Task VoteAsync(Comparison comparison, int strength, DateTime now, CancellationToken ct)
        {
            if (importedRaterId is null)
            {
                importedRaterId = await ImportedRater.EnsureAsync(db, now, ct);
                db.ChangeTracker.Clear();
                assignments = new BulkInserter<Assignment>(db);
                votes = new BulkInserter<Vote>(db);
            }
            var assignment = new Assignment
            {
                ProjectId = project.Id, ComparisonId = comparison.Id, RaterId = importedRaterId, AShownLeft = true,
                Status = AssignmentStatus.Submitted, StartedAtUtc = now, LeaseExpiresAtUtc = now, FinishedAtUtc = now,
            };
            await assignments!.InsertAsync(assignment, ct);
            await votes!.InsertAsync(new Vote
            {
                AssignmentId = assignment.Id, ComparisonId = comparison.Id, ProjectId = project.Id, RaterId = importedRaterId,
                Strength = strength, BothBad = false, Rationale = "", AShownLeft = true, SecondsOnTask = 0, SubmittedAtUtc = now,
            }, ct);
        }

        public async ValueTask DisposeAsync()
        {
            await prompts.DisposeAsync();
            await responses.DisposeAsync();
            await comparisons.DisposeAsync();
            if (assignments is not null) await assignments.DisposeAsync();
            if (votes is not null) await votes.DisposeAsync();
        }
    }

    private static ImportReport Failed(ImportFormat format, List<ImportError> errors, Stopwatch watch) =>
        new() { Format = format, Committed = false, Errors = errors, ErrorCount = errors.Count, Elapsed = watch.Elapsed };

    private sealed class Counters
    {
        public long Records, Good, Warnings, Prompts, Responses, Duplicates, Comparisons, Votes;
        public bool Fatal;
    }

    internal enum ProblemKind { None, Error, Warning, Fatal }

    internal readonly record struct Parsed(ImportItem? Item, ImportError? Problem, ProblemKind Kind);

    /// <summary>Reads the input record by record (JSONL lines or CSV rows), each parsed or with its problem.</summary>
    internal sealed class RecordSource(Stream stream, ImportFormat format, ImportOptions options)
    {
        private readonly Utf8LineReader lines = new(stream, options.MaxLineBytes);

        public long BytesRead => lines.BytesRead;

        public IAsyncEnumerable<Parsed> ReadAllAsync(CancellationToken ct) =>
            format == ImportFormat.Csv ? CsvAsync(ct) : JsonlAsync(ct);

        private async IAsyncEnumerable<Parsed> JsonlAsync([EnumeratorCancellation] CancellationToken ct)
        {
            var any = false;
            while (await lines.ReadLineAsync(ct) is { } line)
            {
                if (line.Error is not null)
                {
                    any = true;
                    yield return new Parsed(null, new ImportError(line.Number, null, line.Error), ProblemKind.Error);
                    continue;
                }
                if (string.IsNullOrWhiteSpace(line.Text)) continue;
                any = true;
                yield return Parse(line.Number, () => RecordParser.FromJson(line.Number, line.Text!, options.DefaultSource, options.MaxResponsesPerPrompt));
            }
            if (!any) yield return new Parsed(null, new ImportError(null, null, "file is empty"), ProblemKind.Fatal);
        }

        private async IAsyncEnumerable<Parsed> CsvAsync([EnumeratorCancellation] CancellationToken ct)
        {
            var records = new CsvRecordReader(lines, options.MaxLineBytes);
            var header = await records.ReadAsync(ct);
            if (header is null)
            {
                yield return new Parsed(null, new ImportError(null, null, "file is empty"), ProblemKind.Fatal);
                yield break;
            }
            if (header.Error is not null)
            {
                yield return new Parsed(null, new ImportError(header.Line, null, $"{header.Error} (in the header)"), ProblemKind.Fatal);
                yield break;
            }
            RecordParser.CsvLayout? layout = null;
            RecordProblem? headerProblem = null;
            try
            {
                layout = RecordParser.CsvHeader(header.Fields!);
            }
            catch (RecordProblem problem)
            {
                headerProblem = problem;
            }
            if (headerProblem is not null || layout is null)
            {
                yield return new Parsed(null, new ImportError(header.Line, headerProblem?.Field, headerProblem?.Message ?? "bad header"), ProblemKind.Fatal);
                yield break;
            }

            var any = false;
            while (await records.ReadAsync(ct) is { } row)
            {
                any = true;
                if (row.Error is not null)
                {
                    yield return new Parsed(null, new ImportError(row.Line, null, row.Error), ProblemKind.Error);
                    continue;
                }
                yield return Parse(row.Line, () => RecordParser.FromCsv(row.Line, row.Fields!, layout, header.Fields!, options.DefaultSource, options.MaxResponsesPerPrompt));
            }
            if (!any) yield return new Parsed(null, new ImportError(null, null, "file has a header but no rows"), ProblemKind.Fatal);
        }

        private static Parsed Parse(long line, Func<ImportItem> parse)
        {
            try
            {
                return new Parsed(parse(), null, ProblemKind.None);
            }
            catch (RecordProblem problem)
            {
                return new Parsed(null, new ImportError(line, problem.Field, problem.Message), problem.IsWarning ? ProblemKind.Warning : ProblemKind.Error);
            }
        }
    }
}
