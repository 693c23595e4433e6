using System.Collections.Concurrent;

namespace Rlhf.Data.Rating;

/// <summary>
/// Per project and coverage level L (counted votes plus live leases; level 0 is the untouched comparisons), the
/// comparisons this process has read ahead with at most L of them and not yet handed out, and the id from which it has
/// not read yet: every comparison below that mark was read ahead or had more. A hand-out takes the neediest ids read
/// ahead (fewest at reading, then lowest id) from the lowest level that has any, instead of reading the project on every
/// call; the write transaction checks each taken id again, so one that is stale (another site instance leased it, the
/// full draw gave it out) is only dropped, never over-leased. A comparison below the marks whose coverage falls again
/// (its lease ran out) is handed out by a higher level's read or by the full draw once no level has any left above its
/// mark; one whose only vote was undone is put back here (<see cref="Retreat"/>) and handed out next.
/// </summary>
public sealed class FreshComparisonHint
{
    /// <summary>Comparisons read per refill: one read for this many hand-outs.</summary>
    public const int ReadAheadBatch = 200;

    /// <summary>How long a level whose read found nothing is not read again (new comparisons wait at most this long).</summary>
    public static readonly TimeSpan EmptyFor = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(int ProjectId, int Level), Lane> lanes = new();

    private sealed class Lane
    {
        /// <summary>Ids below it were read ahead or found covered more.</summary>
        public long Mark;
        /// <summary>Read ahead, not handed out yet: (coverage when read, id), neediest first.</summary>
        public readonly SortedSet<(int Coverage, long Id)> Ahead = [];
        /// <summary>When a read last found nothing from the mark on.</summary>
        public DateTime? FoundNothingAtUtc;
        /// <summary>One refill at a time: the others wait for it and take from what it read.</summary>
        public readonly SemaphoreSlim Refill = new(1, 1);
    }

    private Lane LaneOf(int projectId, int level) => lanes.GetOrAdd((projectId, level), _ => new Lane());

    /// <summary>Where a database read of the untouched comparisons starts: the lowest one read ahead, else the mark.</summary>
    public long From(int projectId)
    {
        var lane = LaneOf(projectId, 0);
        lock (lane) return lane.Ahead.Count > 0 ? Math.Min(lane.Ahead.Min.Id, lane.Mark) : lane.Mark;
    }

    /// <summary>A read from <see cref="From"/> found this to be the first untouched comparison: every one below it is worked on.</summary>
    public void Advance(int projectId, long comparisonId)
    {
        var lane = LaneOf(projectId, 0);
        lock (lane)
        {
            lane.Ahead.RemoveWhere(c => c.Id < comparisonId);
            lane.Mark = Math.Max(lane.Mark, comparisonId);
        }
    }

    /// <summary>A comparison became untouched again (its only vote was undone): it is handed out next.</summary>
    public void Retreat(int projectId, long comparisonId) => PutBack(projectId, 0, [(0, comparisonId)]);

    /// <summary>
    /// Up to <paramref name="count"/> of the neediest comparisons read ahead at <paramref name="level"/>, taken out of
    /// the lane (give back the ones not leased with <see cref="PutBack"/>). When the lane runs short, one caller reads
    /// the next <see cref="ReadAheadBatch"/> with <paramref name="readFrom"/> (the comparisons covered at most
    /// <paramref name="level"/> times and still short of their required votes, from the given id on, lowest id first,
    /// with their coverage) while the others wait for it. Empty when none is left above the mark, and for
    /// <see cref="EmptyFor"/> after a read found none.
    /// </summary>
    public async Task<List<(int Coverage, long Id)>> TakeAsync(int projectId, int level, int count, DateTime nowUtc,
        Func<long, Task<List<(int Coverage, long Id)>>> readFrom, CancellationToken ct)
    {
        var lane = LaneOf(projectId, level);
        var taken = Take(lane, count);
        if (taken.Count == count || FoundNothingLately(lane, nowUtc)) return taken;
        var refilling = false;
        try
        {
            await lane.Refill.WaitAsync(ct);
            refilling = true;
            taken.AddRange(Take(lane, count - taken.Count)); // a refill that finished while this call waited
            if (taken.Count == count || FoundNothingLately(lane, nowUtc)) return taken;
            long from;
            lock (lane) from = lane.Mark;
            var read = await readFrom(from);
            lock (lane)
            {
                if (read.Count > 0) lane.Mark = Math.Max(lane.Mark, read[^1].Id + 1);
                lane.FoundNothingAtUtc = read.Count == 0 ? nowUtc : null;
                foreach (var c in read) lane.Ahead.Add(c);
            }
            taken.AddRange(Take(lane, count - taken.Count));
            return taken;
        }
        catch
        {
            PutBack(projectId, level, taken); // cancelled while waiting, or the read failed: what was taken is still open to others
            throw;
        }
        finally
        {
            if (refilling) lane.Refill.Release();
        }
    }

    /// <summary>Comparisons taken at <paramref name="level"/> and not leased that are still open to other raters: the next hand-outs take them first.</summary>
    public void PutBack(int projectId, int level, IEnumerable<(int Coverage, long Id)> comparisons)
    {
        var lane = LaneOf(projectId, level);
        lock (lane)
            foreach (var c in comparisons) lane.Ahead.Add(c);
    }

    /// <summary>
    /// Everything read ahead at <paramref name="level"/> is dropped (the mark stays): a hand-out found every id it took
    /// closed, so the rest was most likely handed out elsewhere (another site instance) too. The next take reads anew.
    /// </summary>
    public void Forget(int projectId, int level)
    {
        var lane = LaneOf(projectId, level);
        lock (lane) lane.Ahead.Clear();
    }

    private static bool FoundNothingLately(Lane lane, DateTime nowUtc)
    {
        lock (lane) return lane.Ahead.Count == 0 && lane.FoundNothingAtUtc is { } at && nowUtc - at < EmptyFor && nowUtc >= at;
    }

    private static List<(int Coverage, long Id)> Take(Lane lane, int count)
    {
        var taken = new List<(int Coverage, long Id)>(count);
        lock (lane)
            while (taken.Count < count && lane.Ahead.Count > 0)
            {
                var c = lane.Ahead.Min;
                lane.Ahead.Remove(c);
                taken.Add(c);
            }
        return taken;
    }
}
