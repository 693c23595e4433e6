using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Data.Exchange;
using Rlhf.Training.Reward;
using Rlhf.Data.Queries;

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
                Strengths = db.Votes.Counted().Where(v => v.ComparisonId == c.Id).Select(v => v.Strength).ToList(),
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

    /// <summary>
    /// Reads a TRL preference JSONL file with the importer's parser (<see cref="TrlPreferenceReader"/>): plain or
    /// conversational records; each error names the line and the field. The prompt is the split group.
    /// </summary>
    public static async Task<List<PreferencePair>> FromTrlFileAsync(string path, CancellationToken ct) =>
        (await TrlPreferenceReader.ReadAsync(path, ct)).Select(p => new PreferencePair(p.Prompt, p.Chosen, p.Rejected, 0, p.Prompt)).ToList();
}
