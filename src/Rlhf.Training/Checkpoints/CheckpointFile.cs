namespace Rlhf.Training.Checkpoints;

/// <summary>
/// Opens a checkpoint file for reading the one way every reader does: a missing file, or one that cannot be opened or
/// read, is a <see cref="CheckpointException"/> naming it; nothing else is caught.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>
    /// Runs <paramref name="read"/> on the file at <paramref name="path"/>. The stream is closed afterwards, unless
    /// <paramref name="keepOpen"/> (the result owns it then); it is always closed when reading fails.
    /// </summary>
    public static T Read<T>(string path, Func<FileStream, T> read, bool keepOpen = false)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var result = read(stream);
            if (!keepOpen) stream.Dispose();
            return result;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            throw new CheckpointException(path, $"cannot be read ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }
}
