namespace Rlhf.Data.Rating;

/// <summary>
/// The lowest assignment id that was still leased at the last sweep of run-out leases, and when that sweep ran. A lease
/// is always a new row (ids only grow) and never becomes leased again once submitted, skipped or expired, so rows below
/// the mark never need sweeping: the sweep reads from the oldest open lease on, not the whole Assignments table.
/// Marking a run-out lease expired is bookkeeping (every query of live leases also compares the lease's end with the
/// time), so the sweep runs at most once per <see cref="Interval"/> rather than in every hand-out's write transaction,
/// where its three statements were a quarter of the hand-out's.
/// </summary>
public sealed class LeaseSweepMark
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long from;
    private long sweptAtTicks = DateTime.MinValue.Ticks;

    public long From => Interlocked.Read(ref from);

    /// <summary>Whether the last committed sweep is <see cref="Interval"/> or more before <paramref name="nowUtc"/> (or the clock went back).</summary>
    public bool IsDue(DateTime nowUtc)
    {
        var last = Interlocked.Read(ref sweptAtTicks);
        return nowUtc.Ticks - last >= Interval.Ticks || nowUtc.Ticks < last;
    }

    /// <summary>After a sweep at <paramref name="sweptAtUtc"/> committed: rows below <paramref name="assignmentId"/> need no more sweeping.</summary>
    public void MoveTo(long assignmentId, DateTime sweptAtUtc)
    {
        Interlocked.Exchange(ref sweptAtTicks, sweptAtUtc.Ticks);
        long seen;
        do
        {
            seen = Interlocked.Read(ref from);
            if (assignmentId <= seen) return;
        }
        while (Interlocked.CompareExchange(ref from, assignmentId, seen) != seen);
    }
}
