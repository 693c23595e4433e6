using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>The read-ahead of the neediest comparisons: one read serves many hand-outs, neediest and lowest id first.</summary>
public class FreshComparisonHintTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Concurrent_takes_share_one_read_and_get_distinct_ids_lowest_first()
    {
        var hint = new FreshComparisonHint();
        var reads = new List<long>();
        var gate = new TaskCompletionSource();
        async Task<List<(int, long)>> ReadFrom(long from)
        {
            lock (reads) reads.Add(from);
            await gate.Task; // every taker is waiting by now
            return [.. Enumerable.Range(10, 30).Select(i => (0, (long)i)).Where(c => c.Item2 >= from)]; // 10..39 untouched
        }

        var takes = Enumerable.Range(0, 8).Select(_ => hint.TakeAsync(7, 0, 3, Now, ReadFrom, CancellationToken.None)).ToList();
        gate.SetResult();
        var taken = (await Task.WhenAll(takes)).SelectMany(t => t).Select(t => t.Id).ToList();

        Assert.Equal([0L], reads);                                                   // one read, from the start
        Assert.Equal(Enumerable.Range(10, 24).Select(i => (long)i), taken.Order()); // 8 x 3, no id twice
        // The next read starts after the last id read, and finds none left: the rest of the first read is all there is.
        var more = await hint.TakeAsync(7, 0, 10, Now, ReadFrom, CancellationToken.None);
        Assert.Equal([0L, 40L], reads);
        Assert.Equal(Enumerable.Range(34, 6).Select(i => (long)i), more.Select(t => t.Id));
        // A read that found nothing is not repeated for a second.
        Assert.Empty(await hint.TakeAsync(7, 0, 1, Now.AddMilliseconds(500), ReadFrom, CancellationToken.None));
        Assert.Equal(2, reads.Count);
        Assert.Empty(await hint.TakeAsync(7, 0, 1, Now.AddSeconds(2), ReadFrom, CancellationToken.None));
        Assert.Equal(3, reads.Count);
    }

    [Fact]
    public async Task Put_back_and_retreated_ids_come_first_and_a_read_that_finds_the_first_untouched_drops_lower_ones()
    {
        var hint = new FreshComparisonHint();
        Task<List<(int, long)>> ReadFrom(long from) => Task.FromResult<List<(int, long)>>([.. Enumerable.Range((int)Math.Max(from, 100), 5).Select(i => (0, (long)i))]);
        Assert.Equal([100L, 101L], (await hint.TakeAsync(1, 0, 2, Now, ReadFrom, CancellationToken.None)).Select(t => t.Id));

        hint.PutBack(1, 0, [(0, 101L)]);
        hint.Retreat(1, 42);
        Assert.Equal(42, hint.From(1));
        Assert.Equal([42L, 101L, 102L], (await hint.TakeAsync(1, 0, 3, Now, ReadFrom, CancellationToken.None)).Select(t => t.Id));
        Assert.Equal(103, hint.From(1));

        // Another project's lane, and another level's, are their own.
        Assert.Equal(0, hint.From(2));

        // A full read from From found 104 first: 103 was worked on meanwhile.
        hint.Advance(1, 104);
        Assert.Equal([104L], (await hint.TakeAsync(1, 0, 1, Now, ReadFrom, CancellationToken.None)).Select(t => t.Id));
    }

    [Fact]
    public async Task Above_level_zero_the_least_covered_come_first_whatever_their_id()
    {
        var hint = new FreshComparisonHint();
        Task<List<(int, long)>> ReadFrom(long from) => Task.FromResult<List<(int, long)>>(from > 0 ? [] : [(2, 1L), (1, 2L), (2, 3L), (0, 4L), (1, 5L)]);
        Assert.Equal([(0, 4L), (1, 2L), (1, 5L)], await hint.TakeAsync(3, 2, 3, Now, ReadFrom, CancellationToken.None));
        Assert.Equal([(2, 1L), (2, 3L)], await hint.TakeAsync(3, 2, 3, Now, ReadFrom, CancellationToken.None));
        Assert.Empty(await hint.TakeAsync(3, 1, 3, Now, _ => Task.FromResult<List<(int, long)>>([]), CancellationToken.None));
    }

    [Fact]
    public async Task A_read_that_fails_gives_back_what_the_take_had_already_taken()
    {
        var hint = new FreshComparisonHint();
        await hint.TakeAsync(5, 0, 1, Now, _ => Task.FromResult<List<(int, long)>>([(0, 1L), (0, 2L)]), CancellationToken.None); // 2 is left
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            hint.TakeAsync(5, 0, 3, Now, _ => throw new InvalidOperationException("database gone"), CancellationToken.None));
        Assert.Equal([(0, 2L)], await hint.TakeAsync(5, 0, 1, Now, _ => Task.FromResult<List<(int, long)>>([]), CancellationToken.None));
    }
}
