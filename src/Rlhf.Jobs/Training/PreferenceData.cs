using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Training.Reward;

namespace Rlhf.Jobs.Training;

/// <summary>Where reward runs get their pairs: a project's votes, or a TRL preference JSONL file.</summary>
public static class PreferenceData
{
    /// <summary>
    /// One pair per comparison whose non-void, non-gold votes prefer a side (mean strength, ties dropped), with the
    /// mean strength's size as the margin and the prompt as the split group.
    /// </summary>
    public static async Task<List<PreferencePair>> FromProjectAsync(RlhfDbContext db, int projectId, double minimumAgreement, CancellationToken ct)
    {
        var rows = await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == projectId && !db.GoldAnswers.Any(g => g.ComparisonId == c.Id))
            .Select(c => new
            {
                c.Id, c.PromptId,
                Prompt = db.Prompts.Where(p => p.Id == c.PromptId).Select(p => p.Text).Single(),
                A = db.Responses.Where(r => r.Id == c.ResponseAId).Select(r => r.Text).Single(),
                B = db.Responses.Where(r => r.Id == c.ResponseBId).Select(r => r.Text).Single(),
                Strengths = db.Votes.Where(v => v.ComparisonId == c.Id && v.VoidedAtUtc == null).Select(v => v.Strength).ToList(),
            })
            .OrderBy(c => c.Id).ToListAsync(ct);
        var pairs = new List<PreferencePair>();
        foreach (var r in rows.Where(r => r.Strengths.Count > 0))
        {
            var result = PreferenceAggregation.Aggregate(r.Strengths, AggregationMethod.MeanStrength);
            if (result.Direction == 0 || result.Agreement < minimumAgreement) continue;
            var (chosen, rejected) = result.Direction < 0 ? (r.A, r.B) : (r.B, r.A);
            pairs.Add(new PreferencePair(r.Prompt, chosen, rejected, Math.Abs(result.MeanStrength), r.PromptId.ToString()));
        }
        return pairs;
    }

    /// <summary>Reads TRL preference JSONL (plain strings); each error names the line and the field.</summary>
    public static async Task<List<PreferencePair>> FromTrlFileAsync(string path, CancellationToken ct)
    {
        var pairs = new List<PreferencePair>();
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        using var reader = new StreamReader(path, strict);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement root;
            try { root = JsonDocument.Parse(line).RootElement; }
            catch (JsonException ex) { throw new FormatException($"line {lineNumber}: invalid JSON ({ex.Message.Split('.')[0]})"); }
            string Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v)
                ? v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FormatException($"line {lineNumber}: field '{name}' must be a string")
                : throw new FormatException($"line {lineNumber}: field '{name}' is missing");
            var prompt = Field("prompt");
            pairs.Add(new PreferencePair(prompt, Field("chosen"), Field("rejected"), 0, prompt));
        }
        if (pairs.Count == 0) throw new FormatException("the file has no preference pairs");
        return pairs;
    }
}
