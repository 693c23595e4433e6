using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Rlhf.Data.Database;

/// <summary>
/// Makes the context of the configured provider: <see cref="RlhfDbContext"/> on SQLite, <see cref="PostgresRlhfDbContext"/>
/// on PostgreSQL (whose own type selects its own migrations). Callers only ever see <see cref="RlhfDbContext"/>.
/// Contexts come from a pool (EF Core's context pooling): disposing one resets it and returns it, so a hand-out or a
/// vote does not build a context and its services anew (6-7 % of the site's CPU under load when they did).
/// </summary>
public sealed class RlhfDbContextFactory(DbContextOptions<RlhfDbContext> options, DatabaseLocation location) : IDbContextFactory<RlhfDbContext>
{
    private readonly Lazy<Func<RlhfDbContext>> create = new(() => Pool(options, location));

    public RlhfDbContext CreateDbContext() => create.Value();

    private static Func<RlhfDbContext> Pool(DbContextOptions<RlhfDbContext> options, DatabaseLocation location)
    {
        if (location.Provider != DatabaseProvider.Postgres) return new PooledDbContextFactory<RlhfDbContext>(options).CreateDbContext;
        // The same settings, typed for the derived context (a pooled context takes options of its own type).
        var postgres = new DbContextOptions<PostgresRlhfDbContext>(options.Extensions.ToDictionary(e => e.GetType()));
        return new PooledDbContextFactory<PostgresRlhfDbContext>(postgres).CreateDbContext;
    }

    /// <summary>
    /// Points EF at the configured database; every command is counted (<see cref="CommandCounter"/>); on SQLite a group
    /// commit keeps its statements prepared (<see cref="SqliteStatementCache"/>). The file is read with <c>pread</c>, not
    /// through a memory map: in WAL mode SQLite unmaps the whole map at the start of every read after another
    /// connection's commit, and faulting the pages in again cost more than reading them (BENCHMARKS.md, "The rater's
    /// live lease and the memory map").
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseLocation location)
    {
        options.AddInterceptors(CommandCounter.Instance);
        if (location.Provider == DatabaseProvider.Postgres) options.UseNpgsql(location.ConnectionString);
        else options.UseSqlite(location.ConnectionString).AddInterceptors(SqliteStatementCache.Instance);
    }
}
