using Microsoft.Extensions.Configuration;
using Rlhf.Data.Hosting;

namespace Rlhf.Jobs.Registry;

/// <summary>
/// The one folder the site imports models from (<c>Models:ImportRoot</c>, default <c>models/import</c> under the
/// content root): an admin puts a checkpoint folder there, a researcher names it. A folder outside it and a folder
/// that does not exist get the same answer (<see cref="NotThere"/>), so the form cannot be used to learn which
/// folders the server has. The CLI's <c>rlhf models import --path</c> is not bound to it: whoever runs the CLI already
/// reads the server's files with their own rights.
/// </summary>
public sealed record ModelImportRoot(string Folder)
{
    public const string Setting = "Models:ImportRoot";
    public const string DefaultFolder = "models/import";

    /// <summary>The setting, relative to the content root when not absolute.</summary>
    public static ModelImportRoot From(IConfiguration configuration, RlhfPaths paths)
    {
        var configured = configuration[Setting];
        var folder = string.IsNullOrWhiteSpace(configured) ? DefaultFolder : configured.Trim();
        return new ModelImportRoot(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(paths.ContentRoot, folder))));
    }

    /// <summary>
    /// The absolute folder <paramref name="requested"/> names (relative to the import folder, or absolute inside it)
    /// when it exists inside the import folder (a link in it must point inside it too); otherwise null.
    /// </summary>
    public string? Resolve(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested)) return null;
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(Folder, requested.Trim())));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
        if (!Inside(full) || !Directory.Exists(full)) return null;
        var target = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return target is null || Inside(Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName))) ? full : null;
    }

    /// <summary>The answer for a folder that is not there or not allowed: the same words for both.</summary>
    public string NotThere(string? requested) =>
        $"There is no model folder '{requested?.Trim()}' in the import folder {Folder} (setting {Setting}); put the checkpoint folder there and give its name.";

    private bool Inside(string full) => full.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
