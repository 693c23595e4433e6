using Npgsql;

namespace Rlhf.Bench.Site;

/// <summary>
/// The fresh database one benchmark run uses, shared by every site process it starts: a SQLite file in a temporary
/// folder, or a new database on a PostgreSQL server (created from <c>--postgres</c>'s connection string, whose user may
/// CREATE DATABASE) that is dropped again at the end. <see cref="Settings"/> are the site's configuration keys for it.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? serverConnectionString;

    private BenchDatabase(string folder, IReadOnlyDictionary<string, string> settings, string? serverConnectionString)
    {
        Folder = folder;
        Settings = settings;
        this.serverConnectionString = serverConnectionString;
    }

    /// <summary>The run's folder: the SQLite file, or Storage:Root beside a PostgreSQL database.</summary>
    public string Folder { get; }
    /// <summary><c>Database:Provider</c>, <c>ConnectionStrings:Rlhf</c> and, for PostgreSQL, <c>Storage:Root</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }
    public string Provider => Settings.GetValueOrDefault("Database:Provider", "Sqlite");

    /// <summary>The same settings as environment variables of a site process (":" becomes "__").</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment => Settings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__"), s.Value));

    public static BenchDatabase Sqlite()
    {
        var folder = NewFolder();
        return new BenchDatabase(folder, new Dictionary<string, string> { ["ConnectionStrings:Rlhf"] = $"Data Source={Path.Combine(folder, "rlhf.db")}" }, null);
    }

    /// <summary>Creates an empty database <c>rlhf_bench_…</c> on the server <paramref name="serverConnectionString"/> names.</summary>
    public static async Task<BenchDatabase> PostgresAsync(string serverConnectionString, CancellationToken ct)
    {
        var name = "rlhf_bench_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(serverConnectionString, $"CREATE DATABASE \"{name}\"", ct);
        var folder = NewFolder();
        return new BenchDatabase(folder, new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Rlhf"] = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString,
            ["Storage:Root"] = folder,
        }, serverConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (serverConnectionString is not null)
        {
            var database = Settings["ConnectionStrings:Rlhf"];
            NpgsqlConnection.ClearPool(new NpgsqlConnection(database));
            await ExecuteAsync(serverConnectionString, $"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)", CancellationToken.None);
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static async Task ExecuteAsync(string serverConnectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString + ";Pooling=false");
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
