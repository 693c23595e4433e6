namespace Rlhf.Testing.Databases;

/// <summary>
/// A test of something only SQLite has (its file, PRAGMAs, its migration history): skipped, with the reason shown,
/// in the pass that runs the database tests against PostgreSQL.
/// </summary>
public sealed class SqliteOnlyFactAttribute : FactAttribute
{
    public SqliteOnlyFactAttribute()
    {
        if (TestDatabases.UsePostgres) Skip = $"SQLite-specific; {TestDatabases.Variable}=postgres runs the database tests against PostgreSQL.";
    }
}
