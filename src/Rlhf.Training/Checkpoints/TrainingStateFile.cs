using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The state file of a resumable training checkpoint (reward and PPO runs). Saving: the state file is written through
/// a temporary file and renamed, so a crash leaves the previous state intact, then older step folders are removed.
/// Loading: the format is checked, the optimizer file must exist, and any problem names the file.
/// </summary>
internal static class TrainingStateFile
{
    /// <summary>
    /// The checkpoint in <paramref name="folder"/>, or null when it holds no state file. <paramref name="parse"/> gets the
    /// state (format already checked) and the optimizer file's path (already checked to exist). A state file that cannot
    /// be used throws <see cref="InvalidDataException"/> "{path}: not a usable {kind} checkpoint (...)".
    /// </summary>
    public static T? TryRead<T>(string folder, string stateFileName, string format, string kind, Func<JsonObject, string, T> parse) where T : class
    {
        var path = Path.Combine(folder, stateFileName);
        if (!File.Exists(path)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            var found = json["format"]?.GetValue<string>();
            if (found != format) throw new InvalidDataException($"format is \"{found}\", expected \"{format}\"");
            var optimizer = Path.Combine(folder, json["optimizer"]!.GetValue<string>());
            if (!File.Exists(optimizer)) throw new InvalidDataException($"{optimizer} is missing");
            return parse(json, optimizer);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a usable {kind} checkpoint ({e.Message})", e);
        }
    }

    public static void Commit(string folder, string stateFileName, JsonObject state, string keepStepFolder)
    {
        var path = Path.Combine(folder, stateFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, path, overwrite: true);

        foreach (var old in Directory.GetDirectories(folder, "step-*"))
            if (!string.Equals(Path.GetFileName(old), keepStepFolder, StringComparison.Ordinal))
                try { Directory.Delete(old, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
