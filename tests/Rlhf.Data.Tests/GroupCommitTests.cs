using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Data.Database;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests;

/// <summary>
/// Writes queued at the group commit share one transaction and one commit, are answered only once it committed, and
/// fail alone when they throw.
/// </summary>
public class GroupCommitTests
{
    private static IDbContextFactory<RlhfDbContext> Contexts(TestDatabase database) =>
        database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();

    /// <summary>A write that adds a pool named <paramref name="name"/> and returns its batch's transaction.</summary>
    private static Func<RlhfDbContext, CancellationToken, Task<Guid>> AddPool(string name) => async (db, ct) =>
    {
        db.Pools.Add(new Pool { Name = name, CreatedAtUtc = DateTime.UtcNow });
        await db.SaveChangesAsync(ct);
        return db.Database.CurrentTransaction!.TransactionId;
    };

    private static async Task<List<string>> PoolNamesAsync(TestDatabase database)
    {
        await using var db = await Contexts(database).CreateDbContextAsync();
        return await db.Pools.Where(p => p.Name.StartsWith("gc-")).OrderBy(p => p.Name).Select(p => p.Name).ToListAsync();
    }

    [Fact]
    public async Task Writes_queued_meanwhile_commit_together_in_order_each_seeing_the_ones_before()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(Contexts(database), writes);

        // While another writer holds the gate, ten writes queue; each counts the pools the ones before it added.
        Task<(Guid Transaction, int Seen)>[] calls;
        using (await writes.EnterAsync())
        {
            calls = Enumerable.Range(0, 10).Select(i => commits.RunAsync(async (db, ct) =>
            {
                var seen = await db.Pools.CountAsync(p => p.Name.StartsWith("gc-"), ct);
                return (await AddPool($"gc-{i:D2}")(db, ct), seen);
            })).ToArray();
            await Task.Delay(200);
            Assert.All(calls, c => Assert.False(c.IsCompleted)); // nothing is answered before its commit
        }
        var answers = await Task.WhenAll(calls);

        Assert.Single(answers.Select(a => a.Transaction).Distinct());
        Assert.Equal(Enumerable.Range(0, 10), answers.Select(a => a.Seen));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"gc-{i:D2}"), await PoolNamesAsync(database));
    }

    [Fact]
    public async Task A_write_that_throws_is_rolled_back_alone_and_the_rest_of_its_batch_commits()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(Contexts(database), writes);

        Task<Guid> first, broken, last;
        using (await writes.EnterAsync())
        {
            first = commits.RunAsync(AddPool("gc-a"));
            broken = commits.RunAsync<Guid>(async (db, ct) =>
            {
                await AddPool("gc-b")(db, ct);                                  // saved in the batch's transaction ...
                throw new InvalidOperationException("the write broke after saving");  // ... then it breaks
            });
            last = commits.RunAsync(AddPool("gc-c"));
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => broken);
        Assert.Equal("the write broke after saving", error.Message);
        Assert.Equal(await first, await last); // one batch
        Assert.Equal(["gc-a", "gc-c"], await PoolNamesAsync(database));
    }

    [Fact]
    public async Task A_write_can_undo_what_it_saved_and_still_answer()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(Contexts(database), writes);

        Task<Guid> first, last;
        Task<string> undone;
        using (await writes.EnterAsync())
        {
            first = commits.RunAsync(AddPool("gc-a"));
            undone = commits.RunAsync(async (db, ct) =>
            {
                await AddPool("gc-b")(db, ct);
                await AddPool("gc-b2")(db, ct);
                await GroupCommit.UndoWriteAsync(db, ct); // both saves undone, nothing left tracked
                Assert.Empty(db.ChangeTracker.Entries());
                await AddPool("gc-b3")(db, ct);           // and the write may go on
                return "answered";
            });
            last = commits.RunAsync(AddPool("gc-c"));
        }

        Assert.Equal("answered", await undone);
        Assert.Equal(await first, await last);
        Assert.Equal(["gc-a", "gc-b3", "gc-c"], await PoolNamesAsync(database));
    }

    [Fact]
    public async Task When_the_commit_fails_every_write_of_the_batch_gets_the_error_and_none_is_stored()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(Contexts(database), writes);

        // A deferred foreign key is checked at COMMIT, on both providers: this batch cannot commit.
        var tables = "gc_" + Guid.NewGuid().ToString("N")[..12];
        Task<Guid> before, after;
        Task<int> breaksTheCommit;
        using (await writes.EnterAsync())
        {
            before = commits.RunAsync(AddPool("gc-before"));
            breaksTheCommit = commits.RunAsync((db, ct) => db.Database.ExecuteSqlRawAsync(
                $"CREATE TEMP TABLE {tables}_p (id integer PRIMARY KEY); " +
                $"CREATE TEMP TABLE {tables}_c (p integer REFERENCES {tables}_p (id) DEFERRABLE INITIALLY DEFERRED); " +
                $"INSERT INTO {tables}_c VALUES (42);", ct));
            after = commits.RunAsync(AddPool("gc-after"));
        }

        foreach (var call in new Task[] { before, breaksTheCommit, after })
            Assert.Contains("FOREIGN KEY", (await Assert.ThrowsAnyAsync<Exception>(() => call)).ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await PoolNamesAsync(database));

        // The writer goes on with the next batch.
        await commits.RunAsync(AddPool("gc-next"));
        Assert.Equal(["gc-next"], await PoolNamesAsync(database));
    }

    [Fact]
    public async Task A_write_given_up_while_it_waits_never_runs()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(Contexts(database), writes);

        using var giveUp = new CancellationTokenSource();
        Task<Guid> given, kept;
        using (await writes.EnterAsync())
        {
            given = commits.RunAsync(AddPool("gc-given-up"), giveUp.Token);
            kept = commits.RunAsync(AddPool("gc-kept"));
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => given); // answered at once, the gate still held
        }

        await kept;
        Assert.Equal(["gc-kept"], await PoolNamesAsync(database));
    }

    [Fact]
    public async Task Queued_writes_still_run_when_it_is_disposed_and_later_ones_are_refused()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        var commits = new GroupCommit(Contexts(database), writes);

        Task<Guid> queued;
        ValueTask disposed;
        using (await writes.EnterAsync())
        {
            queued = commits.RunAsync(AddPool("gc-queued"));
            disposed = commits.DisposeAsync();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => commits.RunAsync(AddPool("gc-late")));
        }
        await disposed; // the writer ended after it committed what was queued

        Assert.NotEqual(Guid.Empty, await queued.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["gc-queued"], await PoolNamesAsync(database));
    }

    [Fact]
    public async Task When_no_transaction_can_begin_the_waiting_writes_get_the_error_and_the_writer_goes_on()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var writes = new WriteGate();
        await using var commits = new GroupCommit(new RefusingOnce(Contexts(database)), writes);

        Task<Guid>[] calls;
        using (await writes.EnterAsync()) calls = new[] { "gc-1", "gc-2", "gc-3" }.Select(n => commits.RunAsync(AddPool(n))).ToArray();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("the database refused", error.Message);
        }
        await commits.RunAsync(AddPool("gc-4")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["gc-4"], await PoolNamesAsync(database));
    }

    /// <summary>Contexts whose first one cannot be made, as when the database is unreachable for a moment.</summary>
    private sealed class RefusingOnce(IDbContextFactory<RlhfDbContext> inner) : IDbContextFactory<RlhfDbContext>
    {
        private int refused;

        public RlhfDbContext CreateDbContext() =>
            Interlocked.Exchange(ref refused, 1) == 0 ? throw new InvalidOperationException("the database refused") : inner.CreateDbContext();
    }
}
