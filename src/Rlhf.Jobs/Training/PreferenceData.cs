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
    /// The pairs <see cref="ProjectPreferenceReader"/> selects from the project's votes under the policy, the same pairs
    /// and in the same order as the TRL export with that policy, with the mean strength towards the chosen side as the
    /// margin (<see cref="PairSelection.Margin"/>) and the prompt as the split group. The prompt is its stored text (for a
    /// conversation, the text an import stores for it).
    /// </summary>
    /// <exception cref="ArgumentException">The policy is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    public static async Task<List<PreferencePair>> FromProjectAsync(RlhfDbContext db, int projectId, PreferencePolicy policy, CancellationToken ct)
    {
        var reader = await ProjectPreferenceReader.OpenAsync(db, projectId, policy, ct);
        var pairs = new List<PreferencePair>();
        await foreach (var (_, selection, texts) in reader.ReadAsync(ct))
            if (texts is not null)
                pairs.Add(new PreferencePair(texts.Prompt.Text, texts.Chosen, texts.Rejected, selection.Margin, texts.Prompt.Id.ToString()));
        return pairs;
    }

    /// <summary>
    /// Reads a TRL preference JSONL file with the importer's parser (<see cref="TrlPreferenceReader"/>): plain or
    /// conversational records; each error names the line and the field. The prompt is the split group.
    /// </summary>
    public static async Task<List<PreferencePair>> FromTrlFileAsync(string path, CancellationToken ct) =>
        (await FromTrlFileWithLinesAsync(path, ct)).Pairs;

    /// <summary><see cref="FromTrlFileAsync"/>, with the file's line number of each pair (for messages about single pairs).</summary>
    public static async Task<(List<PreferencePair> Pairs, List<long> Lines)> FromTrlFileWithLinesAsync(string path, CancellationToken ct)
    {
        var records = await TrlPreferenceReader.ReadAsync(path, ct);
        return (records.Select(p => new PreferencePair(p.Prompt, p.Chosen, p.Rejected, 0, p.Prompt)).ToList(), records.Select(p => p.Line).ToList());
    }
}
