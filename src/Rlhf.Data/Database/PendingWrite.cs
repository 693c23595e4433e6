namespace Rlhf.Data.Database;

/// <summary>
/// A write queued at the <see cref="GroupCommit"/>. Its writer runs it once, inside a batch, and acknowledges it only
/// after that batch committed; until it starts, its caller may give it up.
/// </summary>
internal abstract class PendingWrite
{
    private const int Queued = 0, Started = 1, GivenUp = 2;
    private int state;

    /// <summary>The span the write was queued from, if traced: the batch's span links to it.</summary>
    public System.Diagnostics.ActivityContext? Caller { get; } = System.Diagnostics.Activity.Current?.Context;

    /// <summary>Claims the write for a batch; false when its caller gave it up while it waited.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref state, Started, Queued) == Queued;

    /// <summary>Gives up a write that has not started (its caller's token fired). A started write runs to the end of its batch.</summary>
    public void GiveUp(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref state, GivenUp, Queued) == Queued) Cancel(ct);
    }

    /// <summary>Runs the write on the batch's context, inside the batch's transaction (not committed yet).</summary>
    public abstract Task RunAsync(RlhfDbContext db, CancellationToken ct);

    /// <summary>The batch committed: the caller gets what the write returned.</summary>
    public abstract void Acknowledge();

    /// <summary>The write threw, or its batch did not commit: the caller gets the exception. Once answered, later answers are ignored.</summary>
    public abstract void Fail(Exception e);

    protected abstract void Cancel(CancellationToken ct);
}
