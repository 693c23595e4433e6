using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Demonstrations;
using Rlhf.Data.Queries;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Exchange;

/// <summary>
/// A demonstration project's counted demonstrations (all, or only accepted ones when the project reviews them) as TRL SFT
/// data, one JSON object per line, in a stable order (prompt, then demonstration):
/// <list type="bullet">
/// <item><see cref="SftExportFormat.PromptCompletion"/>: <c>{"prompt": "...", "completion": "..."}</c>; for a conversation
/// prompt <c>{"prompt": [{"role","content"}...], "completion": [{"role": "assistant", "content": "..."}]}</c>;</item>
/// <item><see cref="SftExportFormat.Messages"/>: <c>{"messages": [{"role": "user", "content": prompt}, {"role": "assistant",
/// "content": reply}]}</c>, the conversation's turns in place of the user turn.</item>
/// </list>
/// </summary>
public sealed class SftExport(IDbContextFactory<RlhfDbContext> contexts)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = RecordParser.Encoder, Indented = false };

    /// <summary>Writes the lines; returns how many. <see cref="KeyNotFoundException"/> when the actor sees no such demonstration project.</summary>
    public async Task<int> WriteAsync(int projectId, SftExportFormat format, Stream output, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var snapshot = await db.Database.BeginSnapshotReadAsync(ct);
        if (!await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId && p.Kind == ProjectKind.Demonstrations, ct))
            throw new KeyNotFoundException($"There is no demonstration project {projectId}.");
        var rows = await DemonstrationData.CountedAsync(db, projectId, ct);
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            foreach (var row in rows)
            {
                writer.Reset(buffer);
                Write(writer, row, format);
                writer.Flush();
                buffer.Write("\n"u8);
            }
        }
        await output.WriteAsync(buffer.WrittenMemory, ct);
        await output.FlushAsync(ct);
        return rows.Count;
    }

    private static void Write(Utf8JsonWriter writer, CountedDemonstration row, SftExportFormat format)
    {
        writer.WriteStartObject();
        if (format == SftExportFormat.Messages)
        {
            writer.WritePropertyName("messages");
            writer.WriteStartArray();
            WriteTurns(writer, row);
            WriteTurn(writer, "assistant", row.Reply);
            writer.WriteEndArray();
        }
        else if (row.MessagesJson is { } messages)
        {
            writer.WritePropertyName("prompt");
            ExportService.WriteMessages(writer, messages);
            writer.WritePropertyName("completion");
            ExportService.WriteAssistant(writer, row.Reply);
        }
        else
        {
            writer.WriteString("prompt", row.Prompt);
            writer.WriteString("completion", row.Reply);
        }
        writer.WriteEndObject();
    }

    /// <summary>The prompt's turns: the conversation's, or one user turn.</summary>
    private static void WriteTurns(Utf8JsonWriter writer, CountedDemonstration row)
    {
        if (row.MessagesJson is null) { WriteTurn(writer, "user", row.Prompt); return; }
        foreach (var turn in JsonSerializer.Deserialize<List<ConversationTurn>>(row.MessagesJson, Web) ?? [])
            WriteTurn(writer, turn.Role, turn.Content);
    }

    private static void WriteTurn(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }
}
