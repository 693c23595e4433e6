using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rlhf.Data.Database;

/// <summary>Transactions whose guarantees are the same on both providers.</summary>
public static class WriteTransactions
{
    /// <summary>The PostgreSQL advisory lock that serialises rating writes across site instances ("rlhfrate").</summary>
    public const long RatingLockKey = 0x726c_6866_7261_7465;

    /// <summary>
    /// A transaction in which this writer is the only rating writer until it ends. On SQLite that is what an immediate
    /// transaction is (the database's write lock, taken at BEGIN). On PostgreSQL, which lets writers run side by side,
    /// a transaction-level advisory lock taken first gives the same order across every site instance, so the checks
    /// made inside (k votes, one vote per rater) hold against concurrent hand-outs and votes.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginSerialWriteAsync(this DatabaseFacade database, CancellationToken ct = default)
    {
        var tx = await database.BeginTransactionAsync(ct);
        if (database.IsNpgsql()) await database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RatingLockKey})", ct);
        return tx;
    }

    /// <summary>
    /// A read-only transaction over one consistent snapshot that never waits for writers: SQLite's deferred transaction
    /// (a WAL read snapshot), PostgreSQL's repeatable read.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginSnapshotReadAsync(this DatabaseFacade database, CancellationToken ct = default)
    {
        if (database.IsNpgsql()) return await database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await database.OpenConnectionAsync(ct);
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)database.GetDbConnection();
        var transaction = connection.BeginTransaction(deferred: true);
        return (await database.UseTransactionAsync(transaction, ct))!;
    }
}
