using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Telemetry;

namespace Rlhf.Data.Database;

/// <summary>
/// Group commit for the rating path. Hand-outs, votes and skips queue here; one writer runs them in batches, each batch
/// in one serial write transaction (<see cref="WriteTransactions.BeginSerialWriteAsync"/>) that commits, and on SQLite
/// fsyncs (synchronous=FULL in WAL mode), once. A write's task completes only after the commit of its batch, so an
/// acknowledged vote survives a crash or a power loss.
/// <para>
/// The writes of a batch run one after another, in the order they queued, on one context: each sees what the ones before
/// it wrote, exactly as with a transaction of its own, so the checks inside them (k votes, one vote per rater and
/// comparison, one live lease per rater) hold as before. Each runs under a savepoint of its own: one that throws is
/// rolled back alone and its caller gets the exception, while the rest of the batch commits; one that wants to undo
/// its writes and still answer calls <see cref="UndoWriteAsync"/>. When the commit itself
/// fails, every caller of the batch gets the exception and nothing of it is stored.
/// </para>
/// <para>
/// A batch takes every write queued when it starts, and those that queue while it runs as long as it is younger than
/// <see cref="Window"/>, up to <see cref="MaxWrites"/> writes in all; it never waits idle for more. Under load, writes queue while the
/// previous batch commits, so batches grow with the load and a lone write is not delayed.
/// </para>
/// The writer holds the <see cref="WriteGate"/> for each batch: the writes that do not queue here still take turns with it.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable, IDisposable
{
    /// <summary>The most writes one batch commits together.</summary>
    public const int MaxWrites = 64;

    /// <summary>How long a batch takes in writes that queue while it runs, counted from its start.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(2);

    private const string Savepoint = "rlhf_write";

    private readonly IDbContextFactory<RlhfDbContext> contexts;
    private readonly WriteGate writes;
    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(); // (a single-reader channel cannot count what waits)
    private readonly List<PendingWrite> batch = new(MaxWrites);   // the writer's own: what the batch took
    private readonly List<PendingWrite> written = new(MaxWrites); // ... and which of them ran to the end
    private readonly Task writer;

    public GroupCommit(IDbContextFactory<RlhfDbContext> contexts, WriteGate writes)
    {
        this.contexts = contexts;
        this.writes = writes;
        // The writer serves every caller: it must not run inside the execution context (and the trace) of the request
        // that happened to make it.
        using (ExecutionContext.SuppressFlow()) writer = Task.Run(WriteAsync);
    }

    /// <summary>The writes queued and not yet taken by a batch.</summary>
    public int Queued => queue.Reader.Count;

    /// <summary>
    /// Runs <paramref name="write"/> in the next batch and returns what it returned once the batch committed. The write
    /// gets the batch's context, must neither begin nor commit a transaction, and is not cancelled once it started:
    /// <paramref name="ct"/> only gives it up while it waits in the queue.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<RlhfDbContext, CancellationToken, Task<T>> write, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(write);
        if (!queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommit), "The site is stopping; nothing was written.");
        using var registration = ct.Register(static (p, token) => ((PendingWrite)p!).GiveUp(token), pending);
        return await pending.Task;
    }

    /// <summary>
    /// Undoes everything the running write wrote so far (rolls back to its savepoint); it may then go on, or return what
    /// its caller is to get. For a write that catches a failed statement (SaveChanges sets no savepoint of its own in a
    /// batch, and <see cref="RowStatements"/> none at all): what it wrote before the failed statement is still there until
    /// this undoes it.
    /// </summary>
    public static async Task UndoWriteAsync(RlhfDbContext db, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Only a write of a group commit can be undone.");
        await tx.RollbackToSavepointAsync(Savepoint, ct);
        db.ChangeTracker.Clear();
    }

    private async Task WriteAsync()
    {
        while (await queue.Reader.WaitToReadAsync())
        {
            using (await writes.EnterAsync()) await CommitBatchAsync();
            batch.Clear();
            written.Clear();
        }
    }

    private async Task CommitBatchAsync()
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            // Each write has its savepoint: SaveChanges need not set one of its own (two statements fewer each time).
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginSerialWriteAsync();
            SqliteStatementCache.Keep(db); // the batch's writes run the same few statements: each is prepared once a batch
            try
            {
                if (!await RunBatchAsync(db, tx)) return; // nothing to commit: the transaction rolls back
            }
            finally { SqliteStatementCache.Drop(db); }
        }
        catch (Exception e)
        {
            // The batch did not commit: none of it is acknowledged. When it failed before it took a write (the
            // transaction could not begin), the writes waiting get the error, as they would have from a transaction
            // of their own, rather than wait for a database that refuses.
            if (batch.Count == 0)
                while (batch.Count < MaxWrites && queue.Reader.TryRead(out var waiting))
                    if (waiting.TryStart()) batch.Add(waiting);
            foreach (var write in batch) write.Fail(e);
            return;
        }
        foreach (var write in written) write.Acknowledge();
    }

    /// <summary>Takes the batch's writes, runs each under its savepoint, and commits; false when none ran to the end (nothing committed).</summary>
    private async Task<bool> RunBatchAsync(RlhfDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx)
    {
        using var span = RlhfTracing.Source.StartActivity("rating.commit");
        // Every write already waiting joins (up to MaxWrites); then those that queue while the batch runs, for a Window.
        var waiting = queue.Reader.Count;
        var opened = Stopwatch.GetTimestamp();
        for (var taken = 0; batch.Count < MaxWrites && (taken < waiting || Stopwatch.GetElapsedTime(opened) < Window)
             && queue.Reader.TryRead(out var write); taken++)
        {
            if (!write.TryStart()) continue; // given up while it waited
            batch.Add(write);
            if (write.Caller is { } caller) span?.AddLink(new ActivityLink(caller));
            await tx.CreateSavepointAsync(Savepoint);
            try
            {
                await write.RunAsync(db, CancellationToken.None);
                await tx.ReleaseSavepointAsync(Savepoint);
                written.Add(write);
            }
            catch (Exception e)
            {
                await tx.RollbackToSavepointAsync(Savepoint);
                write.Fail(e);
            }
            finally { db.ChangeTracker.Clear(); } // the next write starts from the database, not from this one's entities
        }
        if (written.Count == 0) return false;
        await tx.CommitAsync();
        span?.SetTag("rlhf.writes", written.Count);
        RlhfMetrics.RatingCommits.Add(1);
        RlhfMetrics.RatingCommitWrites.Record(written.Count);
        return true;
    }

    /// <summary>Takes no more writes; what is queued still runs. Waits for the writer to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    /// <summary>Takes no more writes; what is queued still runs, without waiting for it here.</summary>
    public void Dispose() => queue.Writer.TryComplete();
}
