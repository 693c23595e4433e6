namespace Rlhf.Testing.Databases;

/// <summary>
/// Which database the database tests run against: SQLite files (the default), or PostgreSQL when the environment
/// variable <c>RLHF_TEST_DATABASE=postgres</c> asks for it (eng/test.sh's second pass).
/// </summary>
public static class TestDatabases
{
    public const string Variable = "RLHF_TEST_DATABASE";

    public static bool UsePostgres =>
        string.Equals(Environment.GetEnvironmentVariable(Variable), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The settings (<c>Database:Provider</c>, <c>ConnectionStrings:Rlhf</c>) of a fresh database: a SQLite file in
    /// <paramref name="folder"/>, or a new database on the test cluster, already migrated unless <paramref name="empty"/>
    /// (a SQLite file is always made empty: migrating it is fast). Give the result to <see cref="DropAsync"/> at the end.
    /// </summary>
    public static async Task<Dictionary<string, string?>> CreateAsync(string folder, bool empty = false)
    {
        if (!UsePostgres) return new() { ["ConnectionStrings:Rlhf"] = $"Data Source={Path.Combine(folder, "rlhf.db")}" };
        return new()
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Rlhf"] = await PostgresCluster.Shared.CreateDatabaseAsync(migrated: !empty),
            ["Storage:Root"] = folder, // model, import and key files stay in the test's folder, as beside a SQLite file
        };
    }

    /// <summary>As <see cref="CreateAsync"/>, for constructors: run on the thread pool, away from xunit's synchronisation context.</summary>
    public static Dictionary<string, string?> Create(string folder, bool empty = false) => Task.Run(() => CreateAsync(folder, empty)).GetAwaiter().GetResult();

    /// <summary>Drops the Postgres database of <paramref name="settings"/>; SQLite files go with their folder.</summary>
    public static async Task DropAsync(IReadOnlyDictionary<string, string?> settings)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (settings.GetValueOrDefault("Database:Provider") == "Postgres")
            await PostgresCluster.Shared.DropDatabaseAsync(settings["ConnectionStrings:Rlhf"]!);
    }
}
