using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;

namespace Rlhf.Data.Exchange;

public sealed partial class ExportService
{
    public static readonly IReadOnlyList<string> SkipColumns =
    [
        "project_id", "assignment_id", "comparison_id", "prompt_id", "rater", "kind", "reason", "started_at", "skipped_at", "gold",
        "prompt", "response_a", "source_a", "response_b", "source_b",
    ];

    /// <summary>
    /// Every skip of the project, in assignment order, with the columns of <see cref="SkipColumns"/>: kind is one of
    /// <see cref="SkipReasons.Kinds"/> (free text is "Other"), reason the rater's whole reason; a comparison's skip names its
    /// responses, a demonstration task's skip only its prompt (comparison_id and the responses empty). Rater pseudonyms and
    /// formats as <see cref="ExportVotesAsync"/>, from one snapshot, page by page.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    public async Task<int> ExportSkipsAsync(int projectId, VotesFormat format, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Enum.IsDefined(format)) throw new ArgumentOutOfRangeException(nameof(format), format, "The format must be jsonl or csv.");

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var snapshot = await db.Database.BeginSnapshotReadAsync(ct);
        await ProjectAsync(db, projectId, ct);
        var pseudonym = await PseudonymsAsync(db, projectId, ct);

        if (format == VotesFormat.Csv) await WriteTextAsync(output, CsvWriter.Record(SkipColumns), ct);
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        var count = 0;
        long last = 0;
        while (true)
        {
            var page = await db.Assignments.AsNoTracking()
                .Where(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped && a.Id > last)
                .OrderBy(a => a.Id).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            last = page[^1].Id;

            var comparisonIds = page.Where(a => a.ComparisonId is not null).Select(a => a.ComparisonId!.Value).Distinct().ToList();
            var comparisons = await db.Comparisons.AsNoTracking().Where(c => comparisonIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
            var gold = (await db.GoldAnswers.AsNoTracking().Where(g => comparisonIds.Contains(g.ComparisonId)).Select(g => g.ComparisonId).ToListAsync(ct)).ToHashSet();
            var promptIds = page.Select(a => a.ComparisonId is { } c ? comparisons[c].PromptId : a.PromptId!.Value).Distinct().ToList();
            var responseIds = comparisons.Values.SelectMany(c => new[] { c.ResponseAId, c.ResponseBId }).Distinct().ToList();
            var prompts = await db.Prompts.AsNoTracking().Where(p => promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Text, ct);
            var responses = await db.Responses.AsNoTracking().Where(r => responseIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);

            foreach (var a in page)
            {
                var c = a.ComparisonId is { } cid ? comparisons[cid] : null;
                var promptId = c?.PromptId ?? a.PromptId!.Value;
                var (ra, rb) = c is null ? (null, null) : (responses[c.ResponseAId], responses[c.ResponseBId]);
                var kind = SkipReasons.KindOf(a.SkipReason);
                var skippedAt = a.FinishedAtUtc is { } f ? Iso(f) : null;
                var isGold = c is not null && gold.Contains(c.Id);
                count++;
                if (format == VotesFormat.Csv)
                {
                    await WriteTextAsync(output, CsvWriter.Record(
                    [
                        Int(projectId), Int(a.Id), c is null ? null : Int(c.Id), Int(promptId), pseudonym(a.RaterId), kind, a.SkipReason,
                        Iso(a.StartedAtUtc), skippedAt, Bool(isGold), prompts[promptId], ra?.Text, ra?.Source, rb?.Text, rb?.Source,
                    ]), ct);
                    continue;
                }
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                writer.WriteStartObject();
                writer.WriteNumber("project_id", projectId);
                writer.WriteNumber("assignment_id", a.Id);
                if (c is null) writer.WriteNull("comparison_id"); else writer.WriteNumber("comparison_id", c.Id);
                writer.WriteNumber("prompt_id", promptId);
                writer.WriteString("rater", pseudonym(a.RaterId));
                writer.WriteString("kind", kind);
                writer.WriteString("reason", a.SkipReason);
                writer.WriteString("started_at", Iso(a.StartedAtUtc));
                writer.WriteString("skipped_at", skippedAt);
                writer.WriteBoolean("gold", isGold);
                writer.WriteString("prompt", prompts[promptId]);
                writer.WriteString("response_a", ra?.Text);
                writer.WriteString("source_a", ra?.Source);
                writer.WriteString("response_b", rb?.Text);
                writer.WriteString("source_b", rb?.Source);
                writer.WriteEndObject();
                writer.Flush();
                await output.WriteAsync(buffer.WrittenMemory, ct);
                await output.WriteAsync(NewLine, ct);
            }
        }
        await output.FlushAsync(ct);
        return count;
    }
}
