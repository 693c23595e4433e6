using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Data.Database;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>
/// Run-out leases are marked expired by a hand-out's sweep, at most once per <see cref="LeaseSweepMark.Interval"/> on
/// the clock; between sweeps a run-out lease is already out of every count of live leases.
/// </summary>
public class LeaseSweepTests
{
    [Fact]
    public void A_sweep_is_due_an_interval_after_the_last_one_or_when_the_clock_went_back()
    {
        var mark = new LeaseSweepMark();
        var t = new DateTime(2026, 12, 3, 8, 0, 0, DateTimeKind.Utc);
        Assert.True(mark.IsDue(t)); // never swept
        Assert.True(mark.TryClaim(t));
        mark.MoveTo(7);
        Assert.Equal(7, mark.From);
        Assert.False(mark.IsDue(t + LeaseSweepMark.Interval - TimeSpan.FromTicks(1)));
        Assert.True(mark.IsDue(t + LeaseSweepMark.Interval));
        Assert.True(mark.IsDue(t - TimeSpan.FromSeconds(1)));
        Assert.True(mark.TryClaim(t + LeaseSweepMark.Interval));
        mark.MoveTo(5); // the mark never moves back, the time does move on
        Assert.Equal(7, mark.From);
        Assert.False(mark.IsDue(t + LeaseSweepMark.Interval));
        Assert.False(mark.TryClaim(t + LeaseSweepMark.Interval));
    }

    [Fact]
    public async Task Of_many_callers_at_once_one_alone_claims_a_due_sweep()
    {
        var mark = new LeaseSweepMark();
        var t = new DateTime(2026, 12, 4, 8, 0, 0, DateTimeKind.Utc);
        using var start = new Barrier(8);
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var won = 0;
            start.SignalAndWait();
            for (var i = 0; i < 1000; i++) won += mark.TryClaim(t) ? 1 : 0;
            return won;
        })));
        Assert.Equal(1, claims.Sum());
    }

    [Fact]
    public async Task The_hand_outs_of_one_group_commit_sweep_once()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 20, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 8);
        var clock = new ManualClock { Now = DateTimeOffset.UtcNow };
        var contexts = new CountingContexts(database);
        var gate = new WriteGate();
        await using var commits = new GroupCommit(contexts, gate);
        var service = new RatingService(contexts, clock, commits, new FreshComparisonHint(), new LeaseSweepMark(), new ComparisonCounts(clock));

        // The writer waits at the gate until all eight hand-outs have queued, so one batch takes them all.
        Task<RatingTask?[]> handOuts;
        using (await gate.EnterAsync())
        {
            handOuts = Task.WhenAll(raters.Select(r => service.NextAsync(r)));
            while (commits.Queued < raters.Count && !handOuts.IsCompleted) await Task.Delay(5);
            Assert.Equal(raters.Count, commits.Queued);
        }
        var tasks = await handOuts;
        Assert.All(tasks, Assert.NotNull);
        Assert.Equal(raters.Count, tasks.Select(t => t!.AssignmentId).Distinct().Count());
        var sweeps = contexts.Texts.Count(t => t.Contains("UPDATE", StringComparison.OrdinalIgnoreCase) && t.Contains("\"Assignments\""));
        Assert.Equal(1, sweeps);
    }

    [Fact]
    public async Task A_run_out_lease_is_marked_expired_by_the_first_hand_out_a_second_after_the_last_sweep_and_is_free_before()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, comparisons) = await RatingFixture.ProjectAsync(database, 3, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 4);
        var clock = new ManualClock { Now = DateTimeOffset.UtcNow };
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using var commits = new GroupCommit(contexts, new WriteGate());
        var service = new RatingService(contexts, clock, commits, new FreshComparisonHint(), new LeaseSweepMark(), new ComparisonCounts(clock));
        async Task<AssignmentStatus> StatusAsync(long id)
        {
            await using var db = await RatingFixture.ContextAsync(database);
            return (await db.Assignments.SingleAsync(a => a.Id == id)).Status;
        }

        var first = (await service.NextAsync(raters[0]))!; // this hand-out swept (none before)
        await using (var db = await RatingFixture.ContextAsync(database))
            await db.Assignments.Where(a => a.Id == first.AssignmentId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseExpiresAtUtc, clock.Now.UtcDateTime.AddMinutes(-1)));

        // Half a second on: no sweep, so the lease still says leased (the next two raters take the other two comparisons).
        clock.Now += LeaseSweepMark.Interval / 2;
        var second = (await service.NextAsync(raters[1]))!;
        var third = (await service.NextAsync(raters[2]))!;
        Assert.Equal(AssignmentStatus.Leased, await StatusAsync(first.AssignmentId));

        // A second after the first sweep, the next hand-out sweeps; the run-out lease's comparison is free again.
        clock.Now += LeaseSweepMark.Interval / 2;
        var fourth = (await service.NextAsync(raters[3]))!;
        Assert.Equal(AssignmentStatus.Expired, await StatusAsync(first.AssignmentId));
        Assert.Equal([AssignmentStatus.Leased, AssignmentStatus.Leased, AssignmentStatus.Leased],
            [await StatusAsync(second.AssignmentId), await StatusAsync(third.AssignmentId), await StatusAsync(fourth.AssignmentId)]);
        await using var check = await RatingFixture.ContextAsync(database);
        var taken = await check.Assignments.Where(a => a.Id == second.AssignmentId || a.Id == third.AssignmentId || a.Id == fourth.AssignmentId)
            .Select(a => a.ComparisonId!.Value).ToListAsync();
        Assert.Equal(comparisons, taken.Order());
    }
}
