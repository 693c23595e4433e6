using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Training.Checkpoints;

/// <summary>
/// The last step of saving a resumable training checkpoint (reward and PPO runs): the state file is written through a
/// temporary file and renamed, so a crash leaves the previous state intact, then older step folders are removed.
/// </summary>
internal static class TrainingStateFile
{
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
