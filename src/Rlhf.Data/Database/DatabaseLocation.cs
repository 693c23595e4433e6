using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Rlhf.Data.Database;

/// <summary>
/// The SQLite database the site and the CLI share: the connection string from
/// <c>ConnectionStrings:Rlhf</c> (environment variable <c>ConnectionStrings__Rlhf</c> overrides it), with a relative
/// file path resolved against the content root, so <c>data/rlhf.db</c> means the repository's data folder.
/// </summary>
public sealed record DatabaseLocation(string ConnectionString, string FilePath)
{
    public const string SettingName = "ConnectionStrings:Rlhf";
    public const string DefaultConnectionString = "Data Source=data/rlhf.db";

    /// <summary>Parses and validates the setting; throws <see cref="StartupConfigurationException"/> with one clear line.</summary>
    public static DatabaseLocation Resolve(IConfiguration configuration, string contentRoot)
    {
        var raw = configuration.GetConnectionString("Rlhf");
        if (string.IsNullOrWhiteSpace(raw)) raw = DefaultConnectionString;

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(raw);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new StartupConfigurationException(
                $"Setting {SettingName} is malformed ({ex.Message.Split('\n')[0].Trim()}); expected e.g. \"{DefaultConnectionString}\".", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
            throw new StartupConfigurationException($"Setting {SettingName} has no Data Source; expected e.g. \"{DefaultConnectionString}\".");
        if (builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            throw new StartupConfigurationException($"Setting {SettingName} points at an in-memory database; Rlhf needs a file so that nothing is lost.");

        var path = Path.IsPathRooted(builder.DataSource)
            ? builder.DataSource
            : Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        builder.DataSource = path;
        if (builder.DefaultTimeout < 30) builder.DefaultTimeout = 30;
        return new DatabaseLocation(builder.ToString(), path);
    }

    /// <summary>Creates the database folder if needed and proves it is writable; throws one clear line naming the setting.</summary>
    public void EnsureFolderWritable()
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException(
                $"Setting {SettingName}: the database folder '{folder}' is not writable ({ex.Message}).", ex);
        }
        if (File.Exists(FilePath))
        {
            try
            {
                using var _ = File.Open(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupConfigurationException(
                    $"Setting {SettingName}: the database file '{FilePath}' is not writable ({ex.Message}).", ex);
            }
        }
    }
}
