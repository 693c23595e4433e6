using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The layout of a resumable training checkpoint (reward and PPO runs), in the run's checkpoint folder:
/// <code>
/// trainer_state.json                  {"format", "step", "total_steps", "seed", "{content}_sha256", "settings",
///                                      "optimizer", "saved_at", and the trainer's own fields}
/// step-000050/...                     the trainer's models
/// step-000050/optimizer.safetensors   the optimizer state (<see cref="Optim.FusedAdamW"/>: moments and step count)
/// </code>
/// Saving: the step folder is written first and the state file last, through a temporary file and a rename, so a crash
/// leaves the previous checkpoint usable; then older step folders are removed. Loading: the format is checked, the
/// optimizer file must exist, and any problem names the file.
/// </summary>
internal static class TrainingStateFile
{
    public const string StateFileName = "trainer_state.json";
    public const string OptimizerFileName = "optimizer.safetensors";

    /// <summary>
    /// The checkpoint in <paramref name="folder"/>, or null when it holds no state file. <paramref name="parse"/> gets the
    /// state (format already checked) and its common part. A state file that cannot be used throws
    /// <see cref="InvalidDataException"/> "{path}: not a usable {kind} checkpoint (...)".
    /// </summary>
    public static T? TryRead<T>(string folder, string format, string kind, string contentField, Func<JsonObject, TrainingCheckpoint, T> parse)
        where T : class
    {
        var path = Path.Combine(folder, StateFileName);
        if (!File.Exists(path)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            var found = json["format"]?.GetValue<string>();
            if (found != format) throw new InvalidDataException($"format is \"{found}\", expected \"{format}\"");
            var optimizer = Path.Combine(folder, json["optimizer"]!.GetValue<string>());
            if (!File.Exists(optimizer)) throw new InvalidDataException($"{optimizer} is missing");
            return parse(json, TrainingCheckpoint.Read(folder, json, contentField, optimizer));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a usable {kind} checkpoint ({e.Message})", e);
        }
    }

    /// <summary>
    /// Saves the checkpoint of <paramref name="step"/>: <paramref name="saveModels"/> writes the models into the step
    /// folder (given its path), <paramref name="saveOptimizer"/> the optimizer state (given the file's path), then the
    /// state file: <paramref name="fields"/> (the trainer's own, given the step folder's name) and the common ones.
    /// </summary>
    public static void Save(string folder, string format, long step, CheckpointKey key, Action<string> saveModels, Action<string> saveOptimizer,
        Func<string, JsonObject> fields)
    {
        Directory.CreateDirectory(folder);
        var name = $"step-{step:D6}";
        var stepFolder = Path.Combine(folder, name);
        if (Directory.Exists(stepFolder)) Directory.Delete(stepFolder, recursive: true);
        saveModels(stepFolder);
        saveOptimizer(Path.Combine(stepFolder, OptimizerFileName));

        var state = new JsonObject
        {
            ["format"] = format,
            ["step"] = step,
            ["total_steps"] = key.TotalSteps,
            ["seed"] = key.Seed,
            [key.ContentField] = key.ContentSha256,
            ["settings"] = key.Settings.ToJson(),
            ["optimizer"] = $"{name}/{OptimizerFileName}",
        };
        foreach (var (field, value) in fields(name)) state[field] = value?.DeepClone();
        state["saved_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        Commit(folder, state, name);
    }

    private static void Commit(string folder, JsonObject state, string keepStepFolder)
    {
        var path = Path.Combine(folder, StateFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, path, overwrite: true);

        foreach (var old in Directory.GetDirectories(folder, "step-*"))
            if (!string.Equals(Path.GetFileName(old), keepStepFolder, StringComparison.Ordinal))
                try { Directory.Delete(old, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
