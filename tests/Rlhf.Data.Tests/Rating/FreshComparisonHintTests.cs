using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>The read-ahead of untouched comparisons: one read serves many hand-outs, lowest id first.</summary>
public class FreshComparisonHintTests
{
    [Fact]
    public async Task Concurrent_takes_share_one_read_and_get_distinct_ids_lowest_first()
    {
        var hint = new FreshComparisonHint();
        var reads = new List<long>();
        var gate = new TaskCompletionSource();
        async Task<List<long>> ReadFrom(long from)
        {
            lock (reads) reads.Add(from);
            await gate.Task; // every taker is waiting by now
            return [.. Enumerable.Range(10, 30).Select(i => (long)i).Where(id => id >= from)]; // 10..39 untouched
        }

        var takes = Enumerable.Range(0, 8).Select(_ => hint.TakeAsync(7, 3, ReadFrom, CancellationToken.None)).ToList();
        gate.SetResult();
        var taken = (await Task.WhenAll(takes)).SelectMany(t => t).ToList();

        Assert.Equal([0L], reads);                                     // one read, from the start
        Assert.Equal(Enumerable.Range(10, 24).Select(i => (long)i), taken.Order()); // 8 x 3, no id twice
        // The next read starts after the last id read, and finds none left: the rest of the first read is all there is.
        var more = await hint.TakeAsync(7, 10, ReadFrom, CancellationToken.None);
        Assert.Equal([0L, 40L], reads);
        Assert.Equal(Enumerable.Range(34, 6).Select(i => (long)i), more);
    }

    [Fact]
    public async Task Put_back_and_retreated_ids_come_first_and_a_read_that_finds_the_first_untouched_drops_lower_ones()
    {
        var hint = new FreshComparisonHint();
        Task<List<long>> ReadFrom(long from) => Task.FromResult<List<long>>([.. Enumerable.Range((int)Math.Max(from, 100), 5).Select(i => (long)i)]);
        Assert.Equal([100L, 101L], await hint.TakeAsync(1, 2, ReadFrom, CancellationToken.None));

        hint.PutBack(1, [101L]);
        hint.Retreat(1, 42);
        Assert.Equal(42, hint.From(1));
        Assert.Equal([42L, 101L, 102L], await hint.TakeAsync(1, 3, ReadFrom, CancellationToken.None));
        Assert.Equal(103, hint.From(1));

        // Another project's lane is its own.
        Assert.Equal(0, hint.From(2));

        // A full read from From found 104 first: 103 was worked on meanwhile.
        hint.Advance(1, 104);
        Assert.Equal([104L], await hint.TakeAsync(1, 1, ReadFrom, CancellationToken.None));
    }
}
