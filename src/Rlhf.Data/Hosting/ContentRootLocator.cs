namespace Rlhf.Data.Hosting;

/// <summary>
/// Where the site finds the top-level appsettings.json and wwwroot/: the folder named by RLHF_CONTENT_ROOT; else
/// the published folder (appsettings.json beside the binaries); else the source checkout's root (the folder with
/// Rlhf.sln above the binaries or the current directory).
/// </summary>
public static class ContentRootLocator
{
    public const string Variable = "RLHF_CONTENT_ROOT";

    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);

        var baseDir = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(baseDir, "appsettings.json"))) return baseDir;

        return FindRepositoryRoot(baseDir) ?? FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? Directory.GetCurrentDirectory();
    }

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rlhf.sln")) && File.Exists(Path.Combine(dir.FullName, "appsettings.json")))
                return dir.FullName;
        return null;
    }
}
