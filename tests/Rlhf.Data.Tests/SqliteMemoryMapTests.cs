using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>The site's SQLite connections read the file through a memory map, whichever pooled connection a context gets.</summary>
public class SqliteMemoryMapTests
{
    [Fact]
    public async Task Every_connection_the_site_opens_maps_the_file()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using var probe = await contexts.CreateDbContextAsync();
        if (!probe.Database.IsSqlite()) return; // PostgreSQL has its own buffer cache

        // Several contexts open at once get several native connections; each is mapped, and stays so when reused.
        for (var round = 0; round < 2; round++)
        {
            var open = new List<RlhfDbContext>();
            try
            {
                for (var i = 0; i < 4; i++)
                {
                    var db = await contexts.CreateDbContextAsync();
                    open.Add(db);
                    await db.Database.OpenConnectionAsync();
                    Assert.Equal(SqliteMemoryMap.MappedBytes, await db.Database.SqlQueryRaw<long>("PRAGMA mmap_size").ToAsyncEnumerable().SingleAsync());
                }
            }
            finally { foreach (var db in open) await db.DisposeAsync(); }
        }
    }
}
