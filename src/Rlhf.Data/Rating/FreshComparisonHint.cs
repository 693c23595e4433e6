using System.Collections.Concurrent;

namespace Rlhf.Data.Rating;

/// <summary>
/// Per project, the untouched comparisons (neither a vote nor a live lease) this process has read ahead and not yet
/// handed out, and the id from which it has not read yet: every comparison below that mark was read ahead or worked on.
/// A hand-out takes the lowest ids read ahead instead of reading the untouched comparisons of the project on every call;
/// the write transaction checks each taken id again, so an id that is stale (another site instance leased it, the full
/// draw gave it out) is only dropped, never over-leased. A comparison below the mark that becomes untouched again (its
/// lease ran out) is handed out by the full draw once no untouched comparison is left above it; one whose only vote was
/// undone is put back here (<see cref="Retreat"/>) and handed out next.
/// </summary>
public sealed class FreshComparisonHint
{
    /// <summary>Untouched comparisons read per refill: one read for this many hand-outs.</summary>
    public const int ReadAheadBatch = 200;

    private readonly ConcurrentDictionary<int, Lane> lanes = new();

    private sealed class Lane
    {
        /// <summary>Ids below it were read ahead or found worked on.</summary>
        public long Mark;
        /// <summary>Read ahead, not handed out yet, lowest first.</summary>
        public readonly SortedSet<long> Ahead = [];
        /// <summary>One refill at a time: the others wait for it and take from what it read.</summary>
        public readonly SemaphoreSlim Refill = new(1, 1);
    }

    private Lane LaneOf(int projectId) => lanes.GetOrAdd(projectId, _ => new Lane());

    /// <summary>Where a read of the untouched comparisons starts: the lowest one read ahead, else the mark.</summary>
    public long From(int projectId)
    {
        var lane = LaneOf(projectId);
        lock (lane) return lane.Ahead.Count > 0 ? Math.Min(lane.Ahead.Min, lane.Mark) : lane.Mark;
    }

    /// <summary>A read from <see cref="From"/> found this to be the first untouched comparison: every one below it is worked on.</summary>
    public void Advance(int projectId, long comparisonId)
    {
        var lane = LaneOf(projectId);
        lock (lane)
        {
            lane.Ahead.RemoveWhere(id => id < comparisonId);
            lane.Mark = Math.Max(lane.Mark, comparisonId);
        }
    }

    /// <summary>A comparison became untouched again (its only vote was undone): it is handed out next.</summary>
    public void Retreat(int projectId, long comparisonId)
    {
        var lane = LaneOf(projectId);
        lock (lane) lane.Ahead.Add(comparisonId);
    }

    /// <summary>
    /// Up to <paramref name="count"/> of the lowest untouched ids read ahead, taken out of the lane (give back the ones
    /// not leased with <see cref="PutBack"/>). When the lane runs short, one caller reads the next
    /// <see cref="ReadAheadBatch"/> with <paramref name="readFrom"/> (untouched ids from the given id on, lowest first)
    /// while the others wait for it. Empty when no untouched comparison is left above the mark.
    /// </summary>
    public async Task<List<long>> TakeAsync(int projectId, int count, Func<long, Task<List<long>>> readFrom, CancellationToken ct)
    {
        var lane = LaneOf(projectId);
        var taken = Take(lane, count);
        if (taken.Count == count) return taken;
        await lane.Refill.WaitAsync(ct);
        try
        {
            taken.AddRange(Take(lane, count - taken.Count)); // a refill that finished while this call waited
            if (taken.Count == count) return taken;
            long from;
            lock (lane) from = lane.Mark;
            var read = await readFrom(from);
            lock (lane)
            {
                if (read.Count > 0) lane.Mark = Math.Max(lane.Mark, read[^1] + 1);
                foreach (var id in read) lane.Ahead.Add(id);
            }
            taken.AddRange(Take(lane, count - taken.Count));
            return taken;
        }
        finally { lane.Refill.Release(); }
    }

    /// <summary>Ids taken and not leased that are still untouched for other raters: the next hand-outs take them first.</summary>
    public void PutBack(int projectId, IEnumerable<long> comparisonIds)
    {
        var lane = LaneOf(projectId);
        lock (lane)
            foreach (var id in comparisonIds) lane.Ahead.Add(id);
    }

    private static List<long> Take(Lane lane, int count)
    {
        var taken = new List<long>(count);
        lock (lane)
            while (taken.Count < count && lane.Ahead.Count > 0)
            {
                var id = lane.Ahead.Min;
                lane.Ahead.Remove(id);
                taken.Add(id);
            }
        return taken;
    }
}
