using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Exchange;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

/// <summary>
/// Raters change or undo their own recent votes on a real SQLite file: the latest choice is what exports and gold
/// grading read; an undo gives the comparison back to the pool (the same rater may take it again); a vote is final once
/// its comparison has all its votes or the project's window has passed; nobody reaches another rater's votes.
/// </summary>
public class VoteHistoryServiceTests
{
    private static VoteHistoryService History(TestDatabase db) => db.Services.GetRequiredService<VoteHistoryService>();

    private static AuditActor Actor(string raterId) => new(raterId, $"{raterId}@example.test");

    private static async Task<List<(string Action, string Target, string Details)>> VoteAuditAsync(TestDatabase database)
    {
        await using var db = await RatingFixture.ContextAsync(database);
        return (await db.AuditEvents.Where(e => e.Action.StartsWith("vote.")).OrderBy(e => e.Id).ToListAsync())
            .Select(e => (e.Action, e.Target, e.Details)).ToList();
    }

    [Fact]
    public async Task A_changed_vote_is_the_one_that_counts_in_the_exports_and_the_gold_grading_until_the_overlap_is_met()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var (rating, history) = (RatingFixture.Service(database), History(database));

        var task = (await rating.NextAsync(raters[0]))!;
        var voteId = (await rating.SubmitAsync(raters[0], task.AssignmentId, -2, false, "left is kinder")).VoteId!.Value;
        Vote before;
        await using (var db = await RatingFixture.ContextAsync(database))
        {
            before = await db.Votes.AsNoTracking().SingleAsync();
            // The gold answer is the side the rater will change to ("right much better"): wrong now, right after the change.
            db.GoldAnswers.Add(new GoldAnswer { ComparisonId = before.ComparisonId, Side = before.AShownLeft ? GoldSide.B : GoldSide.A, MinimumStrength = 2, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
            Assert.Equal(new RaterGoldStats(1, 0), await RatingService.GoldStatsAsync(db, projectId, raters[0], default));
        }

        // The history shows the vote as the rater saw it, changeable for the project's 30 minutes.
        var item = Assert.Single(await history.RecentAsync(raters[0]));
        Assert.Equal((voteId, task.Prompt, task.Left, task.Right, -2, false, "left is kinder"),
            (item.VoteId, item.Prompt, item.Left, item.Right, item.ScreenChoice, item.BothBad, item.Rationale));
        Assert.Equal(before.SubmittedAtUtc.AddMinutes(30), item.ChangeableUntilUtc);
        Assert.True(item.CanChange);
        Assert.Equal(RatingOutcome.Invalid, (await history.ChangeAsync(Actor(raters[0]), voteId, 3, false, null)).Outcome);

        var changed = await history.ChangeAsync(Actor(raters[0]), voteId, 2, true, " second thoughts ");
        Assert.Equal((RatingOutcome.Stored, voteId), (changed.Outcome, changed.VoteId));
        // The same change again changes nothing and is not audited twice.
        Assert.Equal(RatingOutcome.AlreadyStored, (await history.ChangeAsync(Actor(raters[0]), voteId, 2, true, "second thoughts")).Outcome);

        await using (var db = await RatingFixture.ContextAsync(database))
        {
            var vote = await db.Votes.AsNoTracking().SingleAsync(); // changed in place: still one vote of this rater
            Assert.Equal((VoteStrength.FromScreen(2, before.AShownLeft), true, "second thoughts", 1, (DateTime?)null),
                (vote.Strength, vote.BothBad, vote.Rationale, vote.EditCount, vote.VoidedAtUtc));
            Assert.NotNull(vote.EditedAtUtc);
            Assert.Equal(before.SubmittedAtUtc, vote.SubmittedAtUtc);
            Assert.Equal(new RaterGoldStats(1, 1), await RatingService.GoldStatsAsync(db, projectId, raters[0], default)); // graded again
        }
        var audit = Assert.Single(await VoteAuditAsync(database));
        Assert.Equal(("vote.changed", $"vote {voteId}",
            $"comparison {before.ComparisonId}: strength {before.Strength} -> {-before.Strength}, both bad no -> yes, rationale changed"), audit);

        // The exports read the latest choice: the preference export prefers the side the rater changed to.
        await using (var scope = database.Scope())
        {
            var exports = scope.ServiceProvider.GetRequiredService<ExportService>();
            var preferences = new MemoryStream();
            await exports.ExportPreferencesAsync(projectId, new PreferencePolicy { IncludeGold = true }, preferences);
            var line = JsonDocument.Parse(Encoding.UTF8.GetString(preferences.ToArray())).RootElement;
            Assert.Equal(task.Right, line.GetProperty("chosen").GetString());
            Assert.Equal(task.Left, line.GetProperty("rejected").GetString());
            var raw = new MemoryStream();
            Assert.Equal(1, (await exports.ExportVotesAsync(projectId, VotesFormat.Jsonl, raw)).Votes);
            var row = JsonDocument.Parse(Encoding.UTF8.GetString(raw.ToArray())).RootElement;
            Assert.Equal((-before.Strength, "second thoughts"), (row.GetProperty("strength").GetInt32(), row.GetProperty("rationale").GetString()));
        }

        // A second rater's vote gives the comparison its k = 2 votes: the first rater's vote is final now.
        var other = (await rating.NextAsync(raters[1]))!;
        Assert.Equal(RatingOutcome.Stored, (await rating.SubmitAsync(raters[1], other.AssignmentId, 0, false, null)).Outcome);
        var final = await history.ChangeAsync(Actor(raters[0]), voteId, -1, false, null);
        Assert.Equal((RatingOutcome.Final, "This comparison has all its votes, so your vote is final."), (final.Outcome, final.Error));
        Assert.Equal(RatingOutcome.Final, (await history.UndoAsync(Actor(raters[0]), voteId)).Outcome);
        Assert.Equal("This comparison has all its votes, so your vote is final.", Assert.Single(await history.RecentAsync(raters[0])).Final);
        await using (var db = await RatingFixture.ContextAsync(database))
            Assert.Equal((-before.Strength, 1), await db.Votes.Where(v => v.Id == voteId).Select(v => new { v.Strength, v.EditCount }).SingleAsync() is var x ? (x.Strength, x.EditCount) : default);
        Assert.Single(await VoteAuditAsync(database));
    }

    [Fact]
    public async Task An_undo_releases_the_assignment_and_the_same_rater_can_take_the_comparison_again()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1, k: 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var (rating, history) = (RatingFixture.Service(database), History(database));

        var first = (await rating.NextAsync(rater))!;
        var voteId = (await rating.SubmitAsync(rater, first.AssignmentId, 1, true, "tidier")).VoteId!.Value;
        Assert.Null(await rating.NextAsync(rater)); // voted: not given again

        Assert.Equal(RatingOutcome.Stored, (await history.UndoAsync(Actor(rater), voteId)).Outcome);

        await using (var db = await RatingFixture.ContextAsync(database))
        {
            var vote = await db.Votes.AsNoTracking().SingleAsync(); // kept, never counted
            Assert.Equal((rater, VoteHistoryService.UndoneReason), (vote.VoidedById, vote.VoidReason));
            Assert.NotNull(vote.VoidedAtUtc);
            Assert.Equal(AssignmentStatus.Released, (await db.Assignments.SingleAsync()).Status);
        }
        Assert.Empty(await history.RecentAsync(rater));
        Assert.Equal(("vote.undone", $"vote {voteId}"), Assert.Single(await VoteAuditAsync(database)) is var (action, target, _) ? (action, target) : default);
        // The released assignment takes no vote or skip, and the same vote cannot be undone twice.
        var late = await rating.SubmitAsync(rater, first.AssignmentId, -2, false, null);
        Assert.Equal((RatingOutcome.Closed, "You undid your vote on this comparison; it went back to the pool."), (late.Outcome, late.Error));
        Assert.Equal(RatingOutcome.Closed, (await rating.SkipAsync(rater, first.AssignmentId, "no")).Outcome);
        Assert.Equal((RatingOutcome.Closed, "You already undid this vote."), await history.UndoAsync(Actor(rater), voteId) is var u ? (u.Outcome, u.Error) : default);

        // Back in the pool: the same rater is given the comparison again, on a new assignment, and votes anew.
        var again = (await rating.NextAsync(rater))!;
        Assert.NotEqual(first.AssignmentId, again.AssignmentId);
        Assert.Equal(RatingOutcome.Stored, (await rating.SubmitAsync(rater, again.AssignmentId, -1, false, null)).Outcome);
        await using (var db = await RatingFixture.ContextAsync(database))
        {
            Assert.Equal(comparisons[0], (await db.Assignments.SingleAsync(a => a.Id == again.AssignmentId)).ComparisonId);
            var counted = await db.Votes.Where(v => v.VoidedAtUtc == null).ToListAsync();
            Assert.Equal(again.AssignmentId, Assert.Single(counted).AssignmentId);
            Assert.Equal(2, await db.Votes.CountAsync());
        }
    }

    [Fact]
    public async Task Another_raters_vote_is_out_of_reach_and_a_vote_is_final_once_the_window_has_passed()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, _) = await RatingFixture.ProjectAsync(database, 2, k: 3);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var (rating, history) = (RatingFixture.Service(database), History(database));
        var task = (await rating.NextAsync(raters[0]))!;
        var voteId = (await rating.SubmitAsync(raters[0], task.AssignmentId, 2, false, "mine")).VoteId!.Value;

        // Another rater (an admin among them: the history is the rater's own) neither sees nor reaches it.
        Assert.Empty(await history.RecentAsync(raters[1]));
        foreach (var actor in new[] { Actor(raters[1]), new AuditActor(raters[1], "admin", IsAdmin: true), new AuditActor(null, "system") })
        {
            var change = await history.ChangeAsync(actor, voteId, -2, true, "theirs");
            Assert.Equal((RatingOutcome.NotFound, "There is no such vote of yours."), (change.Outcome, change.Error));
            Assert.Equal(RatingOutcome.NotFound, (await history.UndoAsync(actor, voteId)).Outcome);
        }

        // 31 minutes later the project's 30-minute window has passed: final, with the reason.
        await using (var db = await RatingFixture.ContextAsync(database))
            await db.Votes.ExecuteUpdateAsync(s => s.SetProperty(v => v.SubmittedAtUtc, v => v.SubmittedAtUtc.AddMinutes(-31)));
        const string passed = "Votes can be changed for 30 minutes after voting; the time for this one has passed.";
        Assert.Equal((RatingOutcome.Final, passed), await history.ChangeAsync(Actor(raters[0]), voteId, -2, false, null) is var c ? (c.Outcome, c.Error) : default);
        Assert.Equal((RatingOutcome.Final, passed), await history.UndoAsync(Actor(raters[0]), voteId) is var u ? (u.Outcome, u.Error) : default);
        Assert.Equal(passed, Assert.Single(await history.RecentAsync(raters[0])).Final);

        // A project without a window: final at once.
        await using (var db = await RatingFixture.ContextAsync(database))
        {
            await db.Projects.ExecuteUpdateAsync(s => s.SetProperty(p => p.VoteChangeMinutes, 0));
            await db.Votes.ExecuteUpdateAsync(s => s.SetProperty(v => v.SubmittedAtUtc, DateTime.UtcNow));
        }
        Assert.Equal("This project does not let raters change their votes.", (await history.UndoAsync(Actor(raters[0]), voteId)).Error);

        await using (var check = await RatingFixture.ContextAsync(database))
        {
            var vote = await check.Votes.AsNoTracking().SingleAsync();
            Assert.Equal((VoteStrength.FromScreen(2, vote.AShownLeft), "mine", 0, (DateTime?)null), (vote.Strength, vote.Rationale, vote.EditCount, vote.VoidedAtUtc));
            Assert.Equal(AssignmentStatus.Submitted, (await check.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).Status);
        }
        Assert.Empty(await VoteAuditAsync(database));
    }

    [Fact]
    public async Task A_change_that_ends_the_disagreement_never_leaves_a_comparison_past_its_overlap()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 3, extraRaters: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 4);
        var (rating, history) = (RatingFixture.Service(database), History(database));
        // A, tie, B: the first three disagree, so the comparison asks for 3 + 2; a fourth rater votes A.
        var votes = new List<long>();
        foreach (var (rater, strength) in raters.Zip(new[] { -2, 0, 2, -2 }))
        {
            var task = (await rating.NextAsync(rater))!;
            var shown = await ShownAsync(database, task.AssignmentId, strength);
            votes.Add((await rating.SubmitAsync(rater, task.AssignmentId, shown, false, null)).VoteId!.Value);
        }
        await using (var db = await RatingFixture.ContextAsync(database))
            Assert.Equal(5, (await db.Comparisons.SingleAsync()).RequiredVotes);

        // The tie becomes A: the first three now agree (k alone would do), yet four votes are stored, so four are required.
        var second = await ShownAsync(database, await AssignmentOfAsync(database, votes[1]), -2);
        Assert.Equal(RatingOutcome.Stored, (await history.ChangeAsync(Actor(raters[1]), votes[1], second, false, null)).Outcome);
        await using (var db = await RatingFixture.ContextAsync(database))
            Assert.Equal(4, (await db.Comparisons.SingleAsync()).RequiredVotes);
        Assert.Equal(RatingOutcome.Final, (await history.UndoAsync(Actor(raters[2]), votes[2])).Outcome);
    }

    /// <summary>The screen choice (as the rater saw the sides) that stores <paramref name="strength"/> on the assignment.</summary>
    private static async Task<int> ShownAsync(TestDatabase database, long assignmentId, int strength)
    {
        await using var db = await RatingFixture.ContextAsync(database);
        return VoteStrength.ToScreen(strength, (await db.Assignments.SingleAsync(a => a.Id == assignmentId)).AShownLeft);
    }

    private static async Task<long> AssignmentOfAsync(TestDatabase database, long voteId)
    {
        await using var db = await RatingFixture.ContextAsync(database);
        return await db.Votes.Where(v => v.Id == voteId).Select(v => v.AssignmentId).SingleAsync();
    }
}
