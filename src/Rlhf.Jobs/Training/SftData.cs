using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data;
using Rlhf.Data.Demonstrations;
using Rlhf.Data.Exchange;
using Rlhf.Training.Sft;
using Rlhf.Training.Text;

namespace Rlhf.Jobs.Training;

/// <summary>
/// Where SFT runs get their demonstrations: a TRL SFT file ({"prompt","completion"} or {"messages"}), the chosen side of a
/// TRL preference file ({"prompt","chosen","rejected"}: told apart by its first record), a demonstration project's
/// demonstrations that count, or the chosen side of a comparison project's
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

    /// <summary>
    /// A demonstration project's counted demonstrations (<see cref="DemonstrationData"/>: accepted ones when it reviews
    /// them), grouped by prompt (<see cref="PromptGroup"/>); a comparison project's chosen responses of its preference pairs
    /// under <paramref name="policy"/>, grouped by prompt.
    /// </summary>
    public static async Task<IReadOnlyList<SftExample>> FromProjectAsync(RlhfDbContext db, int projectId, PreferencePolicy policy, CancellationToken ct)
    {
        if (await db.Projects.AnyAsync(p => p.Id == projectId && p.Kind == ProjectKind.Demonstrations, ct))
            return (await DemonstrationData.CountedAsync(db, projectId, ct)).Select(FromDemonstration).ToList();
        var pairs = await PreferenceData.FromProjectAsync(db, projectId, policy, ct);
        return ChosenSides(pairs.Select(p => (p.Prompt, p.Chosen, p.Group, (string?)null)));
    }

    /// <summary>The validation-split key of a demonstration project's prompt: its demonstrations stay on one side.</summary>
    public static string PromptGroup(long promptId) => $"prompt {promptId}";

    private static SftExample FromDemonstration(CountedDemonstration d) =>
        (d.MessagesJson is { } messages
            ? SftDataFile.Conversation([.. ChatMessageJson.Parse(messages), ChatMessage.FromAssistant(d.Reply)], $"demonstration {d.Id}")
            : SftExample.FromPromptCompletion(d.Prompt, d.Reply, $"demonstration {d.Id}"))
        with { Group = PromptGroup(d.PromptId) };

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
