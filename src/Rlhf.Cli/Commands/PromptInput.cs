using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data;
using Rlhf.Data.Database;

namespace Rlhf.Cli.Commands;

/// <summary>
/// The prompts of the policy-training commands (`rlhf ppo`, `rlhf grpo`): a JSONL file of {"prompt": ...} lines or a
/// project's prompts from the configured database, exactly one of the two.
/// </summary>
internal static class PromptInput
{
    /// <summary>Whether exactly one source is given; if not, says so on <paramref name="error"/> (a usage error, exit code 2).</summary>
    public static async Task<bool> ExactlyOneAsync(FileInfo? file, int? projectId, TextWriter error)
    {
        if (file is null != projectId is null) return true;
        await error.WriteLineAsync("rlhf: give exactly one of --prompts FILE.jsonl or --project ID");
        return false;
    }

    /// <summary>The prompt texts, or null after writing the reason to <paramref name="error"/> (<paramref name="exitCode"/> 2 for usage, 1 for data).</summary>
    public static async Task<(List<string>? Prompts, int ExitCode)> ReadAsync(FileInfo? file, int? projectId, TextWriter error, CancellationToken ct)
    {
        if (!await ExactlyOneAsync(file, projectId, error)) return (null, 2);
        List<string> texts;
        if (file is not null)
        {
            texts = [];
            var lineNumber = 0;
            try
            {
                foreach (var line in await File.ReadAllLinesAsync(file.FullName, ct))
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    using var doc = JsonDocument.Parse(line);
                    if (!doc.RootElement.TryGetProperty("prompt", out var p) || p.ValueKind != JsonValueKind.String)
                    { await error.WriteLineAsync($"rlhf: {file.Name}: line {lineNumber}: field 'prompt' must be a string"); return (null, 1); }
                    texts.Add(p.GetString()!);
                }
            }
            catch (JsonException) { await error.WriteLineAsync($"rlhf: {file.Name}: line {lineNumber}: invalid JSON"); return (null, 1); }
            catch (IOException ex) { await error.WriteLineAsync($"rlhf: {ex.Message}"); return (null, 1); }
        }
        else
        {
            using var host = CliHost.Create();
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync(ct);
            texts = await db.Prompts.Where(p => p.ProjectId == projectId).OrderBy(p => p.Id).Select(p => p.Text).ToListAsync(ct);
        }
        if (texts.Count == 0) { await error.WriteLineAsync("rlhf: no prompts"); return (null, 1); }
        return (texts, 0);
    }

    /// <summary>One JSON line of a training command's metrics: {"step": N, name: value, ...}.</summary>
    public static string MetricsLine(long step, IReadOnlyDictionary<string, double> values) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = step }
            .Concat(values.Select(kv => KeyValuePair.Create(kv.Key, (object)kv.Value))).ToDictionary());
}
