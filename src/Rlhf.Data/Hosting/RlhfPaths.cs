using Rlhf.Data.Database;

namespace Rlhf.Data.Hosting;

/// <summary>Where things live: the content root (appsettings.json, wwwroot, shipped models) and the data folder.</summary>
public sealed record RlhfPaths(string ContentRoot, string DataFolder)
{
    /// <summary>Registered checkpoints: one folder each, owned by the registry.</summary>
    public string ModelsFolder => Path.Combine(DataFolder, "models");

    public static RlhfPaths From(DatabaseLocation location, string contentRoot) =>
        new(Path.GetFullPath(contentRoot), location.DataFolder);
}
