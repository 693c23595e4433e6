using Microsoft.EntityFrameworkCore;

namespace Rlhf.Data.Database;

/// <summary>
/// The platform's model on PostgreSQL. Its own type gives it its own migrations (migrations/Postgres, added beside
/// SQLite's by eng/add-migration.sh). Every DateTime is UTC: it is stored as <c>timestamp with time zone</c>, and a
/// value without a kind (a test's literal, a parsed import) is taken as UTC rather than refused by Npgsql.
/// </summary>
public sealed class PostgresRlhfDbContext(DbContextOptions<PostgresRlhfDbContext> options) : RlhfDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
