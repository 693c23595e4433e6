using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>
/// The rating page's "x of N": N is the project's comparisons still asking for votes, read again once
/// <see cref="ComparisonCounts.Lifetime"/> has passed on the clock, and served from memory before that.
/// </summary>
public class ComparisonCountsTests
{
    [Fact]
    public async Task A_project_is_counted_again_only_once_its_count_is_older_than_the_lifetime()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (project, _, comparisons) = await RatingFixture.ProjectAsync(database, 4, k: 2);
        var (other, _, _) = await RatingFixture.ProjectAsync(database, 2, k: 2);
        var clock = new ManualClock();
        var counts = new ComparisonCounts(clock);
        await using var db = await RatingFixture.ContextAsync(database);
        Assert.Equal((4, 2), (await counts.InProjectAsync(db, project, default), await counts.InProjectAsync(db, other, default)));

        // A comparison taken out (no votes asked any more) leaves N as it was until the count is old enough.
        await db.Comparisons.Where(c => c.Id == comparisons[0]).ExecuteUpdateAsync(s => s.SetProperty(c => c.RequiredVotes, 0));
        clock.Now += ComparisonCounts.Lifetime - TimeSpan.FromMilliseconds(1);
        Assert.Equal(4, await counts.InProjectAsync(db, project, default));
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.Equal(3, await counts.InProjectAsync(db, project, default));
        Assert.Equal(2, await counts.InProjectAsync(db, other, default));
    }

    [Fact]
    public async Task The_rating_task_carries_the_projects_size()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 3, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 1);
        var task = await RatingFixture.Service(database).NextAsync(raters[0]);
        Assert.Equal((0, 3), (task!.DoneInProject, task.ComparisonsInProject));
    }
}
