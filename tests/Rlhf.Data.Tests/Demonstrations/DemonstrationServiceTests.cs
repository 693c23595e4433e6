using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Data.Rating;
using Rlhf.Data.Tests.Rating;

namespace Rlhf.Data.Tests.Demonstrations;

/// <summary>Demonstration tasks go through the comparisons' assignment rules: overlap k, own leases only, quotas; bad replies are refused.</summary>
public class DemonstrationServiceTests
{
    [Fact]
    public async Task Six_raters_in_parallel_leave_exactly_k_demonstrations_per_prompt_and_no_rater_twice()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, prompts) = await DemonstrationFixture.ProjectAsync(database, 5, k: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 6);
        var service = DemonstrationFixture.Service(database);

        await Task.WhenAll(raters.Select(rater => Task.Run(async () =>
        {
            while (await service.NextAsync(rater) is { } task)
            {
                var result = await service.SubmitAsync(rater, task.AssignmentId, $"My reply to {task.Prompt}");
                Assert.True(result.Succeeded, result.Error);
            }
        })));

        await using var db = await RatingFixture.ContextAsync(database);
        var written = await db.Demonstrations.ToListAsync();
        Assert.Equal(10, written.Count);
        Assert.All(written.GroupBy(d => d.PromptId), g => Assert.Equal(2, g.Count()));
        Assert.Equal(prompts.Order(), written.Select(d => d.PromptId).Distinct().Order());
        Assert.DoesNotContain(written.GroupBy(d => (d.PromptId, d.RaterId)), g => g.Count() > 1);
        Assert.All(written, d => Assert.Equal(projectId, d.ProjectId));
        // Each demonstration answers its own submitted assignment of that prompt, and every submit is audited.
        var assignments = await db.Assignments.ToDictionaryAsync(a => a.Id);
        Assert.All(written, d => Assert.Equal((d.PromptId, d.RaterId, AssignmentStatus.Submitted, (long?)null),
            (assignments[d.AssignmentId].PromptId!.Value, assignments[d.AssignmentId].RaterId, assignments[d.AssignmentId].Status, assignments[d.AssignmentId].ComparisonId)));
        Assert.Equal(10, await db.AuditEvents.CountAsync(e => e.Action == "demonstration.submitted"));
    }

    [Fact]
    public async Task A_rater_submits_only_their_own_leased_task_and_the_rating_page_never_gets_one()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await DemonstrationFixture.ProjectAsync(database, 2, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = DemonstrationFixture.Service(database);

        var mine = (await service.NextAsync(raters[0]))!;
        Assert.Equal(mine.AssignmentId, (await service.NextAsync(raters[0]))!.AssignmentId); // the live lease comes back
        var theirs = await service.SubmitAsync(raters[1], mine.AssignmentId, "I answer someone else's prompt.");
        Assert.Equal(RatingOutcome.NotFound, theirs.Outcome);
        // The comparisons' rating service neither hands out nor takes a demonstration task.
        Assert.Null(await RatingFixture.Service(database).NextAsync(raters[1]));
        Assert.Equal(RatingOutcome.NotFound, (await RatingFixture.Service(database).SubmitAsync(raters[0], mine.AssignmentId, 1, false, null)).Outcome);
        await using (var db = await RatingFixture.ContextAsync(database))
            Assert.Equal(0, await db.Demonstrations.CountAsync());

        var stored = await service.SubmitAsync(raters[0], mine.AssignmentId, "My own reply.");
        Assert.Equal(RatingOutcome.Stored, stored.Outcome);
        var again = await service.SubmitAsync(raters[0], mine.AssignmentId, "A second reply to the same task.");
        Assert.Equal((RatingOutcome.AlreadyStored, stored.VoteId), (again.Outcome, again.VoteId));
        await using (var db = await RatingFixture.ContextAsync(database))
            Assert.Equal("My own reply.", (await db.Demonstrations.SingleAsync()).Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public async Task An_empty_or_whitespace_reply_is_refused_with_a_message_and_nothing_is_stored(string reply)
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await DemonstrationFixture.ProjectAsync(database, 1, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = DemonstrationFixture.Service(database);
        var task = (await service.NextAsync(rater))!;

        var refused = await service.SubmitAsync(rater, task.AssignmentId, reply);
        Assert.Equal(RatingOutcome.Invalid, refused.Outcome);
        Assert.Equal("Write a reply first: an empty reply is not stored.", refused.Error);
        await using var db = await RatingFixture.ContextAsync(database);
        Assert.Equal(0, await db.Demonstrations.CountAsync());
        Assert.Equal(AssignmentStatus.Leased, (await db.Assignments.SingleAsync()).Status); // still the rater's to answer
    }

    [Fact]
    public async Task The_daily_quota_counts_demonstrations()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await DemonstrationFixture.ProjectAsync(database, 3, k: 1, quota: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = DemonstrationFixture.Service(database);

        var task = (await service.NextAsync(rater))!;
        Assert.Equal((0, (int?)1), (task.DoneToday, task.DailyQuota));
        Assert.True((await service.SubmitAsync(rater, task.AssignmentId, "  One reply.  ")).Succeeded);
        Assert.Null(await service.NextAsync(rater));
        await using var db = await RatingFixture.ContextAsync(database);
        Assert.Equal("One reply.", (await db.Demonstrations.SingleAsync()).Text);
    }
}
