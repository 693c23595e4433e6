namespace Rlhf.Training.Checkpoints;

/// <summary>
/// A resumable checkpoint does not fit the run asked to resume from it: it was made with other data, prompts or settings,
/// or for another number of steps. Nothing was trained. The message is one line that names the checkpoint folder and
/// says what to do: "the checkpoint in /runs/7/checkpoint was made with other settings; resume with ...".
/// </summary>
public sealed class CheckpointMismatchException(string folder, string message) : Exception(message)
{
    /// <summary>The checkpoint folder that does not fit.</summary>
    public string Folder { get; } = folder;
}
