using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Rlhf.Data.Database;

/// <summary>
/// SQLite statements kept prepared for the length of a group commit. Microsoft.Data.Sqlite prepares (parses and plans)
/// the statements of every new command, and EF Core makes a new command for every execution, so each write of a batch
/// compiled the same few statements again: statement compilation was about a tenth of the site's CPU under load. For a
/// context between <see cref="Keep"/> and <see cref="Drop"/>, a command whose text ran before on it runs on the first
/// one's <see cref="SqliteCommand"/> instead (with this command's parameters), which keeps its prepared statements while
/// the connection stays open, as it does for the batch's transaction. Other contexts are left alone.
/// </summary>
public sealed class SqliteStatementCache : DbCommandInterceptor
{
    public static readonly SqliteStatementCache Instance = new();

    private static readonly ConditionalWeakTable<DbContext, Dictionary<string, SqliteCommand>> kept = new();

    private SqliteStatementCache() { }

    /// <summary>From now on, statements run on <paramref name="db"/> (an SQLite context) stay prepared until <see cref="Drop"/>.</summary>
    public static void Keep(DbContext db)
    {
        if (db.Database.IsSqlite()) kept.AddOrUpdate(db, new Dictionary<string, SqliteCommand>(StringComparer.Ordinal));
    }

    /// <summary>Finalizes what <paramref name="db"/> kept; call before its connection closes.</summary>
    public static void Drop(DbContext db)
    {
        if (!kept.TryGetValue(db, out var commands)) return;
        kept.Remove(db);
        foreach (var command in commands.Values) command.Dispose();
    }

    /// <summary>How many distinct statements texts <paramref name="db"/> keeps prepared now.</summary>
    public static int KeptCount(DbContext db) => kept.TryGetValue(db, out var commands) ? commands.Count : 0;

    /// <summary>
    /// For a plain statement of the caller's own (<see cref="RowStatements"/>): the command <paramref name="db"/> keeps for
    /// <paramref name="sql"/>, without parameters (the caller clears what it binds once it ran); null when it keeps none.
    /// </summary>
    public static SqliteCommand? CommandFor(DbContext db, string sql)
    {
        if (!kept.TryGetValue(db, out var commands)) return null;
        var cached = Cached(commands, (SqliteConnection)db.Database.GetDbConnection(), sql);
        cached.Parameters.Clear();
        return cached;
    }

    /// <summary>The command kept for <paramref name="sql"/>, made on <paramref name="connection"/> the first time.</summary>
    private static SqliteCommand Cached(Dictionary<string, SqliteCommand> commands, SqliteConnection connection, string sql)
    {
        if (!commands.TryGetValue(sql, out var cached))
        {
            cached = connection.CreateCommand();
            cached.CommandText = sql;
            commands.Add(sql, cached);
        }
        return cached;
    }

    /// <summary>The kept command to run in place of <paramref name="command"/>, its parameters moved over; null to run it as it is.</summary>
    private static SqliteCommand? Kept(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context is not { } db || command is not SqliteCommand given || !kept.TryGetValue(db, out var commands)) return null;
        var cached = Cached(commands, given.Connection!, given.CommandText);
        cached.Transaction = given.Transaction;
        cached.CommandTimeout = given.CommandTimeout;
        cached.Parameters.Clear();
        var parameters = given.Parameters.Cast<SqliteParameter>().ToArray();
        given.Parameters.Clear();
        cached.Parameters.AddRange(parameters);
        return cached;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && Kept(command, eventData) is { } cached ? InterceptionResult<DbDataReader>.SuppressWithResult(cached.ExecuteReader()) : result;

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        !result.HasResult && Kept(command, eventData) is { } cached
            ? InterceptionResult<DbDataReader>.SuppressWithResult(await cached.ExecuteReaderAsync(cancellationToken)) : result;

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        !result.HasResult && Kept(command, eventData) is { } cached ? InterceptionResult<int>.SuppressWithResult(cached.ExecuteNonQuery()) : result;

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        !result.HasResult && Kept(command, eventData) is { } cached
            ? InterceptionResult<int>.SuppressWithResult(await cached.ExecuteNonQueryAsync(cancellationToken)) : result;

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        !result.HasResult && Kept(command, eventData) is { } cached ? InterceptionResult<object>.SuppressWithResult(cached.ExecuteScalar()!) : result;

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        !result.HasResult && Kept(command, eventData) is { } cached
            ? InterceptionResult<object>.SuppressWithResult((await cached.ExecuteScalarAsync(cancellationToken))!) : result;
}
