using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>A context told to keep its statements runs each distinct text on one prepared command, with each call's own parameters.</summary>
public class SqliteStatementCacheTests
{
    [Fact]
    public async Task A_kept_statement_runs_again_with_the_new_call_s_parameters_and_writes_through_the_transaction()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        if (!db.Database.IsSqlite()) return; // PostgreSQL prepares on the server (Max Auto Prepare); nothing is kept here
        await using var tx = await db.Database.BeginTransactionAsync();
        SqliteStatementCache.Keep(db);
        try
        {
            foreach (var name in new[] { "kept-a", "kept-b", "kept-c" })
            {
                db.Pools.Add(new Pool { Name = name, CreatedAtUtc = DateTime.UtcNow });
                await db.SaveChangesAsync();                // the same INSERT ... RETURNING three times
            }
            var ids = new List<int>();
            foreach (var name in new[] { "kept-c", "kept-a", "none", "kept-b" })
                ids.Add(await db.Pools.Where(p => p.Name == name).Select(p => p.Id).SingleOrDefaultAsync()); // one SELECT, four parameters
            Assert.Equal(2, SqliteStatementCache.KeptCount(db));
            var byName = await db.Pools.Where(p => p.Name.StartsWith("kept-")).ToDictionaryAsync(p => p.Name, p => p.Id);
            Assert.Equal([byName["kept-c"], byName["kept-a"], 0, byName["kept-b"]], ids);
            Assert.Equal(3, byName.Count);
            Assert.Equal(3, SqliteStatementCache.KeptCount(db));
            await tx.CommitAsync();
        }
        finally { SqliteStatementCache.Drop(db); }
        Assert.Equal(0, SqliteStatementCache.KeptCount(db));

        await using var check = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        Assert.Equal(3, await check.Pools.CountAsync(p => p.Name.StartsWith("kept-")));
        Assert.Equal(0, SqliteStatementCache.KeptCount(check)); // other contexts run as EF Core runs them
    }
}
