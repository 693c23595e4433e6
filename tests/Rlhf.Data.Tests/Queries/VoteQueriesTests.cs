using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Queries;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Queries;

public class VoteQueriesTests
{
    [Fact]
    public async Task Counted_votes_are_the_ones_not_voided_also_inside_a_projection()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 3);
        await using var db = await database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var voided = new[] { false, true, false };
        for (var i = 0; i < raters.Count; i++)
        {
            var assignment = new Assignment
            {
                ProjectId = projectId, ComparisonId = comparisons[0], RaterId = raters[i], Status = AssignmentStatus.Submitted,
                StartedAtUtc = now, LeaseExpiresAtUtc = now, FinishedAtUtc = now,
            };
            db.Assignments.Add(assignment);
            await db.SaveChangesAsync();
            db.Votes.Add(new Vote
            {
                AssignmentId = assignment.Id, ComparisonId = comparisons[0], ProjectId = projectId, RaterId = raters[i],
                Strength = i - 1, SubmittedAtUtc = now, VoidedAtUtc = voided[i] ? now : null,
            });
        }
        await db.SaveChangesAsync();

        Assert.Equal([-1, 1], (await db.Votes.Counted().Select(v => v.Strength).ToListAsync()).Order());
        Assert.Equal([2], await db.Comparisons.Select(c => db.Votes.Counted().Count(v => v.ComparisonId == c.Id)).ToListAsync());
    }
}
