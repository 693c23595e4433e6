namespace Rlhf.Data.Rating;

/// <summary>
/// The lowest assignment id that was still leased at the last sweep of run-out leases. A lease is always a new row
/// (ids only grow) and never becomes leased again once submitted, skipped or expired, so rows below the mark never need
/// sweeping: the sweep reads from the oldest open lease on, not the whole Assignments table on every hand-out.
/// </summary>
public sealed class LeaseSweepMark
{
    private long from;

    public long From => Interlocked.Read(ref from);

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
}
