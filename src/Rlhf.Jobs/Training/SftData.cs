using System.Text.Json;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Data.Exchange;
using Rlhf.Training.Sft;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Where SFT runs get their demonstrations: a TRL SFT file ({"prompt","completion"} or {"messages"}), the chosen side of a
/// TRL preference file ({"prompt","chosen","rejected"}: told apart by its first record), or the chosen side of a project's
/// preference export (the pairs <see cref="PreferenceData.FromProjectAsync"/> selects under the policy, as
/// <c>rlhf export</c> writes them). A prompt's chosen response counts once however many pairs it won.
/// </summary>
public static class SftData
{
    /// <exception cref="SftDataException">Bad records, each named by its line.</exception>
    /// <exception cref="FormatException">A bad preference file (the importer's message, naming the line).</exception>
    public static async Task<IReadOnlyList<SftExample>> FromFileAsync(string path, CancellationToken ct)
    {
        if (!IsPreferenceFile(path)) return SftDataFile.Read(path);
        var pairs = await TrlPreferenceReader.ReadAsync(path, ct);
        return ChosenSides(pairs.Select(p => (p.Prompt, p.Chosen, p.Prompt, (string?)$"line {p.Line}")));
    }

    /// <summary>The chosen responses of the project's preference pairs under <paramref name="policy"/>, grouped by prompt.</summary>
    public static async Task<IReadOnlyList<SftExample>> FromProjectAsync(RlhfDbContext db, int projectId, PreferencePolicy policy, CancellationToken ct)
    {
        var pairs = await PreferenceData.FromProjectAsync(db, projectId, policy, ct);
        return ChosenSides(pairs.Select(p => (p.Prompt, p.Chosen, p.Group, (string?)null)));
    }

    private static List<SftExample> ChosenSides(IEnumerable<(string Prompt, string Chosen, string Group, string? Source)> pairs)
    {
        var seen = new HashSet<(string, string)>();
        return pairs.Where(p => seen.Add((p.Prompt, p.Chosen)))
            .Select(p => SftExample.FromPromptCompletion(p.Prompt, p.Chosen, p.Source) with { Group = p.Group }).ToList();
    }

    /// <summary>True when the file's first record has "chosen": a preference file rather than SFT data.</summary>
    private static bool IsPreferenceFile(string path)
    {
        var first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l));
        if (first is null) return false;
        try
        {
            using var doc = JsonDocument.Parse(first);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("chosen", out _);
        }
        catch (JsonException)
        {
            return false;   // SftDataFile reports the line
        }
    }
}
