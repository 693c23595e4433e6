using Microsoft.EntityFrameworkCore;

namespace Rlhf.Data.Database;

/// <summary>
/// Makes the context of the configured provider: <see cref="RlhfDbContext"/> on SQLite, <see cref="PostgresRlhfDbContext"/>
/// on PostgreSQL (whose own type selects its own migrations). Callers only ever see <see cref="RlhfDbContext"/>.
/// </summary>
public sealed class RlhfDbContextFactory(DbContextOptions<RlhfDbContext> options, DatabaseLocation location) : IDbContextFactory<RlhfDbContext>
{
    public RlhfDbContext CreateDbContext() =>
        location.Provider == DatabaseProvider.Postgres ? new PostgresRlhfDbContext(options) : new RlhfDbContext(options);

    /// <summary>Points EF at the configured database; every command is counted (<see cref="CommandCounter"/>).</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseLocation location)
    {
        if (location.Provider == DatabaseProvider.Postgres) options.UseNpgsql(location.ConnectionString);
        else options.UseSqlite(location.ConnectionString);
        options.AddInterceptors(CommandCounter.Instance);
    }
}
