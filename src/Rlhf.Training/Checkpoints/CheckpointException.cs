namespace Rlhf.Training.Checkpoints;

/// <summary>
/// A checkpoint (config.json, model.safetensors) could not be read or does not fit the model.
/// The message is one line that names the file and, where there is one, the key:
/// "/models/a/model.safetensors: transformer.h.0.attn.c_attn.weight has shape [64, 100], expected [64, 192]".
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string file, string message, Exception? inner = null)
        : base($"{file}: {message}", inner)
    {
        File = file;
    }

    /// <summary>The file (or folder) the problem is in.</summary>
    public string File { get; }
}
