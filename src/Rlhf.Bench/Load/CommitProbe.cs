using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Load;

/// <summary>
/// How many single-row durable commits per second the run's database takes on its own disk, measured before the load:
/// the yardstick votes/s is read against (a design that commits once per vote cannot beat it; group commit can). SQLite:
/// a probe file beside the run's database, WAL with synchronous=FULL as the site runs; PostgreSQL: a probe table in the
/// run's database with the server's own commit settings. One row per transaction for <see cref="Seconds"/>.
/// </summary>
internal static class CommitProbe
{
    public const double Seconds = 2.0;

    public static async Task<double> CommitsPerSecondAsync(BenchDatabase database, CancellationToken ct)
    {
        if (database.Provider == "Postgres")
        {
            await using var pg = new NpgsqlConnection(database.Settings["ConnectionStrings:Rlhf"] + ";Pooling=false");
            await pg.OpenAsync(ct);
            await Pg(pg, "CREATE TABLE commit_probe (id bigserial PRIMARY KEY, at timestamptz NOT NULL)", ct);
            try
            {
                await using var insert = new NpgsqlCommand("INSERT INTO commit_probe (at) VALUES (now())", pg);
                return await RateAsync(() => insert.ExecuteNonQueryAsync(ct), ct);   // autocommit: one transaction per row
            }
            finally { await Pg(pg, "DROP TABLE commit_probe", CancellationToken.None); }
        }

        var file = Path.Combine(database.Folder, "commit-probe.db");
        await using (var sqlite = new SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await sqlite.OpenAsync(ct);
            await Sqlite(sqlite, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL);", ct);
            await using var insert = new SqliteCommand("INSERT INTO probe (at) VALUES (datetime('now'))", sqlite);
            var rate = await RateAsync(() => insert.ExecuteNonQueryAsync(ct), ct);
            await sqlite.CloseAsync();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
            return rate;
        }
    }

    private static async Task<double> RateAsync(Func<Task<int>> commit, CancellationToken ct)
    {
        for (var i = 0; i < 20; i++) await commit();   // warm the file and the statement
        var clock = Stopwatch.StartNew();
        var commits = 0;
        while (clock.Elapsed.TotalSeconds < Seconds)
        {
            ct.ThrowIfCancellationRequested();
            await commit();
            commits++;
        }
        return commits / clock.Elapsed.TotalSeconds;
    }

    private static async Task Pg(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task Sqlite(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
