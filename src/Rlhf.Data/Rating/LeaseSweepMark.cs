namespace Rlhf.Data.Rating;

/// <summary>
/// The lowest assignment id that was still leased at the last sweep of run-out leases, and when a sweep last started.
/// A lease is always a new row (ids only grow) and never becomes leased again once submitted, skipped or expired, so
/// rows below the mark never need sweeping: the sweep reads from the oldest open lease on, not the whole Assignments
/// table. Marking a run-out lease expired is bookkeeping (every query of live leases also compares the lease's end with
/// the time), so the sweep runs at most once per <see cref="Interval"/> rather than in every hand-out's write, where its
/// three statements were a quarter of the hand-out's.
/// </summary>
public sealed class LeaseSweepMark
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long from;
    private long claimedAtTicks = DateTime.MinValue.Ticks;

    public long From => Interlocked.Read(ref from);

    /// <summary>Whether the last sweep started <see cref="Interval"/> or more before <paramref name="nowUtc"/> (or the clock went back).</summary>
    public bool IsDue(DateTime nowUtc) => IsDue(nowUtc, Interlocked.Read(ref claimedAtTicks));

    /// <summary>
    /// Takes the sweep that is due at <paramref name="nowUtc"/>: true for one caller alone, however many ask at once
    /// (the hand-outs of one group commit all run before it commits, so a mark moved only after the commit let each of
    /// them sweep). A sweep that then fails or rolls back is simply retried an interval later.
    /// </summary>
    public bool TryClaim(DateTime nowUtc)
    {
        var last = Interlocked.Read(ref claimedAtTicks);
        return IsDue(nowUtc, last) && Interlocked.CompareExchange(ref claimedAtTicks, nowUtc.Ticks, last) == last;
    }

    /// <summary>After a sweep committed: rows below <paramref name="assignmentId"/> need no more sweeping (the mark never moves back).</summary>
    public void MoveTo(long assignmentId)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref from);
            if (assignmentId <= seen) return;
        }
        while (Interlocked.CompareExchange(ref from, assignmentId, seen) != seen);
    }

    private static bool IsDue(DateTime nowUtc, long lastTicks) => nowUtc.Ticks - lastTicks >= Interval.Ticks || nowUtc.Ticks < lastTicks;
}
