namespace Rlhf.Testing;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rlhf-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a fixture folder (config.json, model.safetensors) into a sub-folder and returns it.</summary>
    public string CopyOf(string fixture, string name = "model")
    {
        var target = Sub(name);
        Directory.CreateDirectory(target);
        foreach (var file in new[] { "config.json", "model.safetensors" })
        {
            var destination = System.IO.Path.Combine(target, file);
            File.Copy(System.IO.Path.Combine(fixture, file), destination);
            File.SetAttributes(destination, FileAttributes.Normal);
        }
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
