using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Rlhf.Data.Database;

/// <summary>Recognises a unique index refusing a row, on either provider.</summary>
public static class UniqueViolation
{
    private const int SqliteConstraintUnique = 2067;
    private const string PostgresUniqueViolation = "23505";

    /// <summary>
    /// Whether <paramref name="e"/> (SaveChanges' DbUpdateException, or the provider's own exception from a plain
    /// statement: <see cref="RowStatements"/>) is the unique index <paramref name="indexName"/> refusing the row. SQLite
    /// names the columns (<paramref name="sqliteColumn"/>, e.g. "Votes.RaterId"), PostgreSQL the index.
    /// </summary>
    public static bool Is(Exception e, string indexName, string sqliteColumn) => (e is DbUpdateException ? e.InnerException : e) switch
    {
        SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique } s => s.Message.Contains(sqliteColumn),
        PostgresException { SqlState: PostgresUniqueViolation } p => p.ConstraintName == indexName,
        _ => false,
    };
}
