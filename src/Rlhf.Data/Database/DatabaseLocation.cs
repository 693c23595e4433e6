using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Rlhf.Data.Database;

/// <summary>
/// The database the site, the workers and the CLI share. <c>Database:Provider</c> is <c>Sqlite</c> (default) or
/// <c>Postgres</c>; the connection string comes from <c>ConnectionStrings:Rlhf</c> (environment variable
/// <c>ConnectionStrings__Rlhf</c> overrides it). For SQLite a relative file path is resolved against the content root,
/// so <c>data/rlhf.db</c> means the repository's data folder. <see cref="DataFolder"/> holds model and run files: the
/// setting <c>Storage:Root</c> when given (a path every worker shares), else the SQLite file's folder, else
/// <c>data/</c> under the content root.
/// </summary>
public sealed record DatabaseLocation(DatabaseProvider Provider, string ConnectionString, string? FilePath, string DataFolder)
{
    public const string SettingName = "ConnectionStrings:Rlhf";
    public const string ProviderSettingName = "Database:Provider";
    public const string StorageRootSettingName = "Storage:Root";
    public const string DefaultConnectionString = "Data Source=data/rlhf.db";

    /// <summary>On PostgreSQL, how many statements each connection keeps prepared (Npgsql's <c>Max Auto Prepare</c>) when the connection string does not say.</summary>
    public const int AutoPreparedStatements = 64;
    public const string PostgresExample = "Host=db.example.org;Database=rlhf;Username=rlhf;Password=...";

    /// <summary>A SQLite file: its folder holds the data unless <c>Storage:Root</c> says otherwise.</summary>
    public DatabaseLocation(string connectionString, string filePath)
        : this(DatabaseProvider.Sqlite, connectionString, filePath, Path.GetDirectoryName(filePath)!) { }

    /// <summary>What to call the database in messages: the SQLite file, or the Postgres host and database (never the password).</summary>
    public string Display => FilePath ?? PostgresDisplay(ConnectionString);

    private static string PostgresDisplay(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgres://{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Parses and validates the settings; throws <see cref="StartupConfigurationException"/> with one clear line.</summary>
    public static DatabaseLocation Resolve(IConfiguration configuration, string contentRoot)
    {
        var provider = ParseProvider(configuration[ProviderSettingName]);
        var raw = configuration.GetConnectionString("Rlhf");
        var location = provider == DatabaseProvider.Postgres ? ResolvePostgres(raw, contentRoot) : ResolveSqlite(raw, contentRoot);
        var storageRoot = configuration[StorageRootSettingName];
        return string.IsNullOrWhiteSpace(storageRoot) ? location
            : location with { DataFolder = Path.GetFullPath(Path.Combine(contentRoot, storageRoot.Trim())) };
    }

    private static DatabaseProvider ParseProvider(string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? DatabaseProvider.Sqlite
        : Enum.TryParse<DatabaseProvider>(raw.Trim(), ignoreCase: true, out var p) && Enum.IsDefined(p) && !int.TryParse(raw, out _) ? p
        : throw new StartupConfigurationException($"Setting {ProviderSettingName} is '{raw}'; use Sqlite (the default) or Postgres.");

    private static DatabaseLocation ResolveSqlite(string? raw, string contentRoot)
    {
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

    private static DatabaseLocation ResolvePostgres(string? raw, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(raw))
            throw new StartupConfigurationException(
                $"Setting {SettingName} is empty but {ProviderSettingName} is Postgres; expected e.g. \"{PostgresExample}\".");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(raw);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            throw new StartupConfigurationException(
                $"Setting {SettingName} is malformed for Postgres ({ex.Message.Split('\n')[0].Trim()}); expected e.g. \"{PostgresExample}\".", ex);
        }
        if (string.IsNullOrWhiteSpace(builder.Host) || string.IsNullOrWhiteSpace(builder.Database))
            throw new StartupConfigurationException(
                $"Setting {SettingName} needs a Host and a Database for Postgres; expected e.g. \"{PostgresExample}\".");
        // Statements run often are prepared on the server once per connection (Npgsql's automatic preparation), unless
        // the connection string says otherwise: the rating path sends the same dozen statements thousands of times.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = raw };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
            if (!given.ContainsKey("Auto Prepare Min Usages") && !given.ContainsKey("AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        }
        return new DatabaseLocation(DatabaseProvider.Postgres, builder.ConnectionString, null,
            Path.GetFullPath(Path.Combine(contentRoot, "data")));
    }

    /// <summary>
    /// Creates the data folder (and for SQLite the database folder) if needed and proves it is writable; throws one clear
    /// line naming the setting.
    /// </summary>
    public void EnsureFolderWritable()
    {
        if (FilePath is not null) EnsureWritable(Path.GetDirectoryName(FilePath)!, $"Setting {SettingName}: the database folder");
        EnsureWritable(DataFolder, $"Setting {StorageRootSettingName}: the data folder");
        if (FilePath is not null && File.Exists(FilePath))
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

    private static void EnsureWritable(string folder, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"{what} '{folder}' is not writable ({ex.Message}).", ex);
        }
    }
}
