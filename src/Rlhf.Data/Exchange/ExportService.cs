using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Database;
using Microsoft.EntityFrameworkCore.Storage;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Exchange;

/// <summary>
/// Writes a project's data out: TRL preference JSONL under an <see cref="ExportPolicy"/>, and every raw vote as JSONL
/// or CSV. Everything is read in one read transaction (a consistent snapshot; writers are not blocked in WAL mode), page
/// by page (flat memory), in a stable order (comparison id, then vote id) with fixed formatting, so the same data and
/// policy give the same bytes.
/// </summary>
public sealed partial class ExportService(IDbContextFactory<RlhfDbContext> contexts, RaterPseudonyms raterPseudonyms)
{
    private const int PageSize = 500;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = RecordParser.Encoder, Indented = false };
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>
    /// TRL preference data, one JSON object per line: <c>{"prompt": "...", "chosen": "...", "rejected": "..."}</c>, or when
    /// the prompt is a conversation the conversational form <c>{"prompt": [{"role","content"}...], "chosen": [{"role":
    /// "assistant", "content": ...}], "rejected": [...]}</c>. The pairs are those <see cref="ProjectPreferenceReader"/>
    /// selects under the policy, the same a reward run on the project trains on.
    /// </summary>
    /// <exception cref="ArgumentException">The policy is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    public async Task<PreferenceExportSummary> ExportPreferencesAsync(int projectId, PreferencePolicy policy, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(output);

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var snapshot = await db.Database.BeginSnapshotReadAsync(ct);
        var reader = await ProjectPreferenceReader.OpenAsync(db, projectId, policy, ct);
        var outcomes = new int[Enum.GetValues<SelectionOutcome>().Length];
        int comparisons = 0, counted = 0;
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        await foreach (var (_, selection, pair) in reader.ReadAsync(ct))
        {
            comparisons++;
            counted += selection.Preference.Votes;
            outcomes[(int)selection.Outcome]++;
            if (pair is not { Prompt: var prompt, Chosen: var chosen, Rejected: var rejected }) continue;
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            if (prompt.MessagesJson is { } messages)
            {
                writer.WritePropertyName("prompt");
                WriteMessages(writer, messages);
                writer.WritePropertyName("chosen");
                WriteAssistant(writer, chosen);
                writer.WritePropertyName("rejected");
                WriteAssistant(writer, rejected);
            }
            else
            {
                writer.WriteString("prompt", prompt.Text);
                writer.WriteString("chosen", chosen);
                writer.WriteString("rejected", rejected);
            }
            writer.WriteEndObject();
            writer.Flush();
            await output.WriteAsync(buffer.WrittenMemory, ct);
            await output.WriteAsync(NewLine, ct);
        }
        await output.FlushAsync(ct);
        int Count(SelectionOutcome o) => outcomes[(int)o];
        return new PreferenceExportSummary
        {
            Comparisons = comparisons, Written = Count(SelectionOutcome.Preferred) + Count(SelectionOutcome.TieKept),
            DroppedGold = Count(SelectionOutcome.Gold), DroppedTooFewVotes = Count(SelectionOutcome.TooFewVotes),
            DroppedTie = Count(SelectionOutcome.Tie), DroppedAgreement = Count(SelectionOutcome.LowAgreement), TiesWritten = Count(SelectionOutcome.TieKept),
            FlaggedRatersExcluded = reader.ExcludedRaters.Count, VotesCounted = counted,
        };
    }

    /// <summary>The columns of a votes export, in order (CSV header and JSONL key order).</summary>
    public static readonly IReadOnlyList<string> VoteColumns =
    [
        "project_id", "comparison_id", "vote_id", "rater", "shown_left", "strength", "preferred", "both_bad", "rationale",
        "started_at", "submitted_at", "seconds_on_task", "voided", "voided_at", "void_reason", "gold",
        "prompt", "prompt_messages", "response_a", "source_a", "response_b", "source_b",
    ];

    /// <summary>
    /// Every vote of the project, void ones included (voided = true), ordered by comparison id then vote id, with the
    /// columns of <see cref="VoteColumns"/>: rater is a <see cref="RaterPseudonyms"/> pseudonym; shown_left is "A" or "B" (the
    /// response the rater saw on the left); strength is -2..2 relative to A and B; preferred is "A", "B" or "tie";
    /// timestamps are ISO 8601 UTC with milliseconds; prompt_messages is the conversation (JSONL: a list; CSV: its JSON
    /// text) or null/empty for a plain prompt. CSV: RFC 4180 with a header row and CRLF line ends.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    public async Task<VotesExportSummary> ExportVotesAsync(int projectId, VotesFormat format, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Enum.IsDefined(format)) throw new ArgumentOutOfRangeException(nameof(format), format, "The format must be jsonl or csv.");

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var snapshot = await db.Database.BeginSnapshotReadAsync(ct);
        await ProjectAsync(db, projectId, ct);
        var pseudonym = await PseudonymsAsync(db, projectId, ct);

        if (format == VotesFormat.Csv) await WriteTextAsync(output, CsvWriter.Record(VoteColumns), ct);
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        int count = 0, voided = 0;
        long lastComparison = 0, lastVote = 0;
        while (true)
        {
            var page = await db.Votes.AsNoTracking()
                .Where(v => v.ProjectId == projectId && (v.ComparisonId > lastComparison || (v.ComparisonId == lastComparison && v.Id > lastVote)))
                .OrderBy(v => v.ComparisonId).ThenBy(v => v.Id).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            (lastComparison, lastVote) = (page[^1].ComparisonId, page[^1].Id);

            var comparisonIds = page.Select(v => v.ComparisonId).Distinct().ToList();
            var assignmentIds = page.Select(v => v.AssignmentId).ToList();
            var comparisons = await db.Comparisons.AsNoTracking().Where(c => comparisonIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
            var gold = (await db.GoldAnswers.AsNoTracking().Where(g => comparisonIds.Contains(g.ComparisonId)).Select(g => g.ComparisonId).ToListAsync(ct)).ToHashSet();
            var started = await db.Assignments.AsNoTracking().Where(a => assignmentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.StartedAtUtc, ct);
            var promptIds = comparisons.Values.Select(c => c.PromptId).Distinct().ToList();
            var responseIds = comparisons.Values.SelectMany(c => new[] { c.ResponseAId, c.ResponseBId }).Distinct().ToList();
            var prompts = await db.Prompts.AsNoTracking().Where(p => promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            var responses = await db.Responses.AsNoTracking().Where(r => responseIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);

            foreach (var v in page)
            {
                var c = comparisons[v.ComparisonId];
                var prompt = prompts[c.PromptId];
                var (a, b) = (responses[c.ResponseAId], responses[c.ResponseBId]);
                var preferred = v.Strength < 0 ? "A" : v.Strength > 0 ? "B" : "tie";
                var startedAt = started.TryGetValue(v.AssignmentId, out var s) ? Iso(s) : null;
                var voidedAt = v.VoidedAtUtc is { } va ? Iso(va) : null;
                count++;
                if (v.VoidedAtUtc is not null) voided++;
                if (format == VotesFormat.Csv)
                {
                    await WriteTextAsync(output, CsvWriter.Record(
                    [
                        Int(projectId), Int(v.ComparisonId), Int(v.Id), pseudonym(v.RaterId), v.AShownLeft ? "A" : "B", Int(v.Strength),
                        preferred, Bool(v.BothBad), v.Rationale, startedAt, Iso(v.SubmittedAtUtc),
                        v.SecondsOnTask.ToString("R", CultureInfo.InvariantCulture), Bool(v.VoidedAtUtc is not null), voidedAt,
                        v.VoidReason, Bool(gold.Contains(c.Id)), prompt.Text, prompt.MessagesJson is { } m ? NormalizedMessages(m) : null,
                        a.Text, a.Source, b.Text, b.Source,
                    ]), ct);
                    continue;
                }
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                writer.WriteStartObject();
                writer.WriteNumber("project_id", projectId);
                writer.WriteNumber("comparison_id", v.ComparisonId);
                writer.WriteNumber("vote_id", v.Id);
                writer.WriteString("rater", pseudonym(v.RaterId));
                writer.WriteString("shown_left", v.AShownLeft ? "A" : "B");
                writer.WriteNumber("strength", v.Strength);
                writer.WriteString("preferred", preferred);
                writer.WriteBoolean("both_bad", v.BothBad);
                writer.WriteString("rationale", v.Rationale);
                writer.WriteString("started_at", startedAt);
                writer.WriteString("submitted_at", Iso(v.SubmittedAtUtc));
                writer.WriteNumber("seconds_on_task", v.SecondsOnTask);
                writer.WriteBoolean("voided", v.VoidedAtUtc is not null);
                writer.WriteString("voided_at", voidedAt);
                writer.WriteString("void_reason", v.VoidReason);
                writer.WriteBoolean("gold", gold.Contains(c.Id));
                writer.WriteString("prompt", prompt.Text);
                writer.WritePropertyName("prompt_messages");
                if (prompt.MessagesJson is { } messages) WriteMessages(writer, messages);
                else writer.WriteNullValue();
                writer.WriteString("response_a", a.Text);
                writer.WriteString("source_a", a.Source);
                writer.WriteString("response_b", b.Text);
                writer.WriteString("source_b", b.Source);
                writer.WriteEndObject();
                writer.Flush();
                await output.WriteAsync(buffer.WrittenMemory, ct);
                await output.WriteAsync(NewLine, ct);
            }
        }
        await output.FlushAsync(ct);
        return new VotesExportSummary(count, voided);
    }

    /// <summary>The project's rater pseudonyms (the imported pseudo-rater keeps its own name), computed once per rater.</summary>
    private async Task<Func<string, string>> PseudonymsAsync(RlhfDbContext db, int projectId, CancellationToken ct)
    {
        var importedId = await ImportedRater.FindIdAsync(db, ct);
        var pseudonyms = new Dictionary<string, string>();
        return raterId =>
        {
            if (!pseudonyms.TryGetValue(raterId, out var p))
                pseudonyms[raterId] = p = raterId == importedId ? RaterPseudonyms.Imported : raterPseudonyms.For(projectId, raterId);
            return p;
        };
    }

    private static async Task<Project> ProjectAsync(RlhfDbContext db, int projectId, CancellationToken ct) =>
        await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId, ct)
        ?? throw new KeyNotFoundException($"Project {projectId} does not exist.");

    /// <summary>A stored conversation as [{"role","content"}...]: only those two keys, in that order.</summary>
    internal static void WriteMessages(Utf8JsonWriter writer, string messagesJson)
    {
        using var document = JsonDocument.Parse(messagesJson);
        writer.WriteStartArray();
        foreach (var m in document.RootElement.EnumerateArray())
        {
            writer.WriteStartObject();
            writer.WriteString("role", Property(m, "role"));
            writer.WriteString("content", Property(m, "content"));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static string NormalizedMessages(string messagesJson)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) WriteMessages(writer, messagesJson);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Property(JsonElement message, string name)
    {
        foreach (var p in message.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                return p.Value.GetString()!;
        return "";
    }

    internal static void WriteAssistant(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartArray();
        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        writer.WriteString("content", text);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static async Task WriteTextAsync(Stream output, string text, CancellationToken ct) =>
        await output.WriteAsync(Encoding.UTF8.GetBytes(text), ct);

    private static string Iso(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Bool(bool value) => value ? "true" : "false";
}
