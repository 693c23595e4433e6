using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Tests.Rating;

public class RatingServiceTests
{
    private static RatingService Service(TestDatabase db) => RatingFixture.Service(db);

    private static Task<RlhfDbContext> ContextAsync(TestDatabase db) => RatingFixture.ContextAsync(db);

    [Fact]
    public async Task Fifty_raters_in_parallel_over_200_comparisons_leave_exactly_k_votes_each_and_no_rater_twice()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, comparisons) = await RatingFixture.ProjectAsync(database, 200, k: 3);
        var raters = await RatingFixture.RatersAsync(database, pool, 50);
        var service = Service(database);

        // Each rater rates until nothing is left for them; all 50 at once against the same SQLite file.
        await Task.WhenAll(raters.Select((rater, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            while (await service.NextAsync(rater) is { } task)
            {
                var result = await service.SubmitAsync(rater, task.AssignmentId, random.Next(-2, 3), false, null);
                Assert.True(result.Succeeded, result.Error);
            }
        })));

        await using var db = await ContextAsync(database);
        var votes = await db.Votes.ToListAsync();
        Assert.Equal(600, votes.Count);
        Assert.All(votes.GroupBy(v => v.ComparisonId), g => Assert.Equal(3, g.Count()));
        Assert.Equal(200, votes.Select(v => v.ComparisonId).Distinct().Count());
        Assert.DoesNotContain(votes.GroupBy(v => (v.ComparisonId, v.RaterId)), g => g.Count() > 1);
    }

    [Fact]
    public async Task Concurrent_hand_outs_to_one_rater_all_give_the_same_single_lease()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 20, k: 3);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var writes = new WriteGate();
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using var commits = new GroupCommit(contexts, writes);
        var service = new RatingService(contexts, TimeProvider.System, commits, new FreshComparisonHint(), new LeaseSweepMark(), new ComparisonCounts(TimeProvider.System));

        // A double click, two tabs: the write gate is held while the calls read "no live lease" and queue at it; the
        // first write sees no lease and leases, the next ones (in the same group commit or a later one) see that lease
        // and hand it out again.
        Task<RatingTask?[]> calls;
        using (await writes.EnterAsync())
        {
            calls = Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => service.NextAsync(rater))));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        var tasks = await calls;

        await using var db = await ContextAsync(database);
        var lease = await db.Assignments.SingleAsync();
        Assert.All(tasks, t => Assert.Equal(lease.Id, t!.AssignmentId));
    }

    [Fact]
    public async Task Hand_outs_of_one_group_commit_see_each_others_leases_and_never_lease_past_k()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1, k: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 10);
        var writes = new WriteGate();
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using var commits = new GroupCommit(contexts, writes);
        var service = new RatingService(contexts, TimeProvider.System, commits, new FreshComparisonHint(), new LeaseSweepMark(),
            new ComparisonCounts(TimeProvider.System));

        // All ten read "untouched" and queue while the gate is held; they then run in one transaction, one after another.
        Task<RatingTask?[]> calls;
        using (await writes.EnterAsync())
        {
            calls = Task.WhenAll(raters.Select(r => Task.Run(() => service.NextAsync(r))));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        var tasks = await calls;

        Assert.Equal(2, tasks.Count(t => t is not null));
        await using var db = await ContextAsync(database);
        var leases = await db.Assignments.ToListAsync();
        Assert.Equal(2, leases.Count);
        Assert.All(leases, a => Assert.Equal(comparisons[0], a.ComparisonId));
        Assert.Equal(2, leases.Select(a => a.RaterId).Distinct().Count());
    }

    [Fact]
    public async Task A_draw_redone_in_the_write_still_gives_a_rater_with_a_live_lease_that_lease()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 2, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 3);
        var (rater, others) = (raters[0], raters[1..]);
        var writes = new WriteGate();
        var contexts = database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>();
        await using var commits = new GroupCommit(contexts, writes);
        var service = new RatingService(contexts, TimeProvider.System, commits, new FreshComparisonHint(), new LeaseSweepMark(),
            new ComparisonCounts(TimeProvider.System));
        foreach (var other in others) Assert.NotNull(await service.NextAsync(other)); // both comparisons leased to others

        // Two hand-outs to the rater read "nothing to rate" and queue; meanwhile both leases end. In the write each redoes
        // the draw and finds both comparisons open: the second must see the first one's lease and give that again.
        Task<RatingTask?[]> calls;
        using (await writes.EnterAsync())
        {
            calls = Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => service.NextAsync(rater))));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await using var db = await ContextAsync(database);
            await db.Assignments.ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Expired)
                .SetProperty(a => a.LeaseExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)));
        }
        var tasks = await calls;

        await using var check = await ContextAsync(database);
        var lease = await check.Assignments.SingleAsync(a => a.RaterId == rater);
        Assert.All(tasks, t => Assert.Equal(lease.Id, t!.AssignmentId));
    }

    [Fact]
    public async Task A_hand_out_opens_its_connection_once_for_the_reads_before_its_write_and_once_for_those_after()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 3, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var reads = new CountingContexts(database); // the hand-out's own context; the group commit's writer has its own
        await using var commits = new GroupCommit(database.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>(), new WriteGate());
        var service = new RatingService(reads, TimeProvider.System, commits, new FreshComparisonHint(), new LeaseSweepMark(),
            new ComparisonCounts(TimeProvider.System));

        // A new lease: the rater, their projects and the read-ahead in one opening, the pair shown in another (each opening
        // of an SQLite connection registers EF Core's SQL functions again).
        var task = await service.NextAsync(rater);
        Assert.NotNull(task);
        Assert.True(reads.Commands >= 4, $"{reads.Commands} commands"); // rater, projects, read-ahead, pair, project size
        Assert.Equal(2, reads.Opens);
        // Their live lease again: no write, one opening for all its reads.
        Assert.Equal(task.AssignmentId, (await service.NextAsync(rater))!.AssignmentId);
        Assert.Equal(3, reads.Opens);
    }

    [Fact]
    public async Task A_hand_out_reads_the_rater_s_history_from_indexes_made_for_it()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 3, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var contexts = new CountingContexts(database);
        await using var commits = new GroupCommit(contexts, new WriteGate());
        var service = new RatingService(contexts, TimeProvider.System, commits, new FreshComparisonHint(), new LeaseSweepMark(),
            new ComparisonCounts(TimeProvider.System));
        await using var db = await ContextAsync(database);
        if (!db.Database.IsSqlite()) return; // the plans asserted are SQLite's
        Assert.NotNull(await service.NextAsync(rater));

        // Done today and done in this project are shown with every hand-out. Today's votes are counted from the index
        // (RaterId, SubmittedAtUtc, ProjectId), not a row read per vote; the finished assignments in the project are one
        // row kept by the database (RaterProgress), looked up by its key: counting them read the rater's whole history.
        var shown = Assert.Single(contexts.Texts, t => t.Contains("\"CutOff\"", StringComparison.Ordinal) && t.Contains("SUM(", StringComparison.OrdinalIgnoreCase));
        var plan = await PlanAsync(db, shown);
        Assert.Contains(plan, p => p.Contains("USING COVERING INDEX IX_Votes_RaterId_SubmittedAtUtc_ProjectId", StringComparison.Ordinal));
        Assert.Contains(plan, p => p.StartsWith("SEARCH r", StringComparison.Ordinal) && p.Contains("INDEX sqlite_autoindex_RaterProgress_1 (RaterId=? AND ProjectId=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, p => p.Contains("Assignments", StringComparison.Ordinal)); // no assignment of theirs is read

        // The rater's live lease is looked up twice (before the write and in the pick check). Seeking their assignments
        // by (RaterId, ComparisonId) read every assignment they ever had, row by row: under load the site's CPU a vote
        // grew with the raters' histories. By (RaterId, Status) it reads their leases alone.
        var lookups = contexts.Texts.Where(t => t.Contains("ORDER BY \"a", StringComparison.Ordinal) && t.Contains("\"LeaseExpiresAtUtc\" >", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lookups.Count);
        foreach (var lookup in lookups)
        {
            plan = await PlanAsync(db, lookup);
            Assert.Contains(plan, p => p.StartsWith("SEARCH a", StringComparison.Ordinal) && p.Contains("(RaterId=? AND Status=?)", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, p => p.Contains("(RaterId=? AND ComparisonId>?)", StringComparison.Ordinal)); // every assignment of theirs
        }
    }

    /// <summary>SQLite's plan for a command text (its parameters unbound), one line a step.</summary>
    private static async Task<List<string>> PlanAsync(RlhfDbContext db, string commandText)
    {
        await db.Database.OpenConnectionAsync();
        await using var explain = db.Database.GetDbConnection().CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + commandText;
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        return plan;
    }

    [Fact]
    public async Task The_vote_is_stored_relative_to_A_and_B_whatever_side_A_was_shown()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 1);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);

        var task = (await service.NextAsync(rater))!;
        // "left much better" on screen
        var result = await service.SubmitAsync(rater, task.AssignmentId, -2, true, " because ");
        Assert.Equal(RatingOutcome.Stored, result.Outcome);

        await using var db = await ContextAsync(database);
        var vote = await db.Votes.SingleAsync();
        var assignment = await db.Assignments.SingleAsync();
        Assert.Equal(AssignmentStatus.Submitted, assignment.Status); // the vote closes its assignment in the same transaction
        Assert.Equal(assignment.AShownLeft ? -2 : 2, vote.Strength);
        Assert.Equal(assignment.AShownLeft, vote.AShownLeft);
        Assert.True(vote.BothBad);
        Assert.Equal("because", vote.Rationale);
        Assert.True(vote.SecondsOnTask >= 0);
        var comparison = await db.Comparisons.SingleAsync();
        var a = await db.Responses.SingleAsync(r => r.Id == comparison.ResponseAId);
        Assert.Equal(assignment.AShownLeft ? a.Text : task.Right, assignment.AShownLeft ? task.Left : a.Text);
    }

    [Fact]
    public async Task A_double_submit_stores_one_vote_and_returns_the_same_result()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);
        var task = (await service.NextAsync(rater))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => service.SubmitAsync(rater, task.AssignmentId, 1, false, null)));

        Assert.Single(results, r => r.Outcome == RatingOutcome.Stored);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results.Select(r => r.VoteId).Distinct());
        await using var db = await ContextAsync(database);
        Assert.Equal(1, await db.Votes.CountAsync());
    }

    [Fact]
    public async Task A_rater_cannot_vote_or_skip_on_another_raters_assignment_and_nothing_is_stored()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = Service(database);
        var task = (await service.NextAsync(raters[0]))!;

        Assert.Equal(RatingOutcome.NotFound, (await service.SubmitAsync(raters[1], task.AssignmentId, 2, false, null)).Outcome);
        Assert.Equal(RatingOutcome.NotFound, (await service.SkipAsync(raters[1], task.AssignmentId, "no")).Outcome);
        Assert.Equal(RatingOutcome.NotFound, (await service.SubmitAsync(raters[1], 987654, 2, false, null)).Outcome);

        await using var db = await ContextAsync(database);
        Assert.Equal(0, await db.Votes.CountAsync());
        Assert.Equal(AssignmentStatus.Leased, (await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).Status);
    }

    [Fact]
    public async Task The_live_assignment_comes_back_until_answered_and_a_skip_is_never_served_again()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);

        var first = (await service.NextAsync(rater))!;
        Assert.Equal(first.AssignmentId, (await service.NextAsync(rater))!.AssignmentId); // a reload keeps it

        Assert.Equal(RatingOutcome.Invalid, (await service.SkipAsync(rater, first.AssignmentId, "  ")).Outcome); // reason required
        Assert.Equal(RatingOutcome.Stored, (await service.SkipAsync(rater, first.AssignmentId, "cannot judge")).Outcome);
        var second = (await service.NextAsync(rater))!;
        Assert.NotEqual(first.AssignmentId, second.AssignmentId);
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(rater, second.AssignmentId, 0, false, null)).Outcome);
        Assert.Null(await service.NextAsync(rater)); // one skipped, one rated: nothing left for this rater

        // An assignment ended one way cannot be ended the other way.
        Assert.Equal(RatingOutcome.Closed, (await service.SubmitAsync(rater, first.AssignmentId, 1, false, null)).Outcome);
        Assert.Equal(RatingOutcome.Closed, (await service.SkipAsync(rater, second.AssignmentId, "changed my mind")).Outcome);
    }

    [Fact]
    public async Task Invalid_input_is_refused_with_a_message_and_nothing_is_stored()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, rationaleRequired: true);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);
        var task = (await service.NextAsync(rater))!;

        var outOfRange = await service.SubmitAsync(rater, task.AssignmentId, 3, false, "x");
        Assert.Equal(RatingOutcome.Invalid, outOfRange.Outcome);
        var noRationale = await service.SubmitAsync(rater, task.AssignmentId, 1, false, " ");
        Assert.Contains("rationale", noRationale.Error);
        var tooLong = await service.SubmitAsync(rater, task.AssignmentId, 1, false, new string('x', 4001));
        Assert.Contains("longer than", tooLong.Error);

        await using var db = await ContextAsync(database);
        Assert.Equal(0, await db.Votes.CountAsync());
    }

    [Fact]
    public async Task Every_hand_out_of_a_campaign_takes_a_least_covered_comparison_in_every_pass_and_after_a_lease_runs_out()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        const int comparisons = 6, k = 3;
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, comparisons, k);
        var raters = await RatingFixture.RatersAsync(database, pool, comparisons * k + 1);
        var service = Service(database);

        // Coverage: counted votes plus live leases, per comparison.
        async Task<Dictionary<long, int>> CoverageAsync()
        {
            await using var db = await ContextAsync(database);
            var now = DateTime.UtcNow;
            var coverage = await db.Comparisons.Select(c => new
            {
                c.Id,
                Coverage = db.Votes.Count(v => v.ComparisonId == c.Id && v.VoidedAtUtc == null)
                           + db.Assignments.Count(a => a.ComparisonId == c.Id && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now),
            }).ToListAsync();
            return coverage.ToDictionary(c => c.Id, c => c.Coverage);
        }

        // One new rater at a time (none was given anything before): each must get a comparison no other one is needier
        // than. Rater 7 lets the lease run out instead of voting, in the second pass, so one comparison falls back.
        foreach (var (rater, i) in raters.Select((r, i) => (r, i)))
        {
            var before = await CoverageAsync();
            var task = (await service.NextAsync(rater))!;
            Assert.NotNull(task);
            await using var db = await ContextAsync(database);
            var given = (await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).ComparisonId!.Value;
            Assert.Equal(before.Values.Where(c => c < k).Min(), before[given]);
            if (i == 7)
                await db.Assignments.Where(a => a.Id == task.AssignmentId)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.LeaseExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)));
            else
                Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(rater, task.AssignmentId, 1, false, null)).Outcome);
        }

        Assert.All((await CoverageAsync()).Values, c => Assert.Equal(k, c));
    }

    [Fact]
    public async Task Past_the_first_pass_comparisons_after_a_full_batch_of_complete_ones_are_still_handed_out()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (projectId, pool, ids) = await RatingFixture.ProjectAsync(database, 230, k: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 3);
        var contexts = new CountingContexts(database);
        var service = new RatingService(contexts, TimeProvider.System, new GroupCommit(contexts, new()), new(), new(), new(TimeProvider.System));

        // The first rater takes the whole first pass: every comparison has one vote.
        for (var i = 0; i < ids.Count; i++)
        {
            var task = (await service.NextAsync(raters[0]))!;
            Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[0], task.AssignmentId, 1, false, null)).Outcome);
        }
        var firstPassCommands = (double)contexts.Commands / ids.Count;
        // Nothing is left for them: only the full neediest-first draw, which counts the whole project, can say so. It
        // is the one command ordered by a count of votes and leases.
        static bool IsFullDraw(string sql) => sql.Contains("ORDER BY (", StringComparison.OrdinalIgnoreCase) && sql.Contains("COUNT(*)", StringComparison.OrdinalIgnoreCase);
        Assert.Null(await service.NextAsync(raters[0]));
        Assert.Contains(contexts.Texts, IsFullDraw);
        // A third rater's votes (stored as the service stores them) complete the first 200: more than one read's batch.
        await using (var db = await ContextAsync(database))
        {
            var now = DateTime.UtcNow;
            foreach (var id in ids.Take(200))
            {
                var assignment = new Assignment
                {
                    ProjectId = projectId, ComparisonId = id, RaterId = raters[2], Status = AssignmentStatus.Submitted,
                    StartedAtUtc = now, LeaseExpiresAtUtc = now.AddMinutes(15), FinishedAtUtc = now,
                };
                db.Assignments.Add(assignment);
                await db.SaveChangesAsync();
                db.Votes.Add(new Vote { AssignmentId = assignment.Id, ComparisonId = id, ProjectId = projectId, RaterId = raters[2], Strength = 1, SubmittedAtUtc = now });
            }
            await db.SaveChangesAsync();
        }

        // The second rater is given the 30 that still need a vote, and then nothing; and as cheaply as in the first
        // pass (the SQL commands of a hand-out and a vote, against the first pass's average): the second pass reads
        // ahead too, and the full draw does not run on every hand-out.
        var before = contexts.Commands;
        var sentBefore = contexts.Texts.Count;
        var second = new List<long>();
        while (await service.NextAsync(raters[1]) is { } task)
        {
            await using var db = await ContextAsync(database);
            second.Add((await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).ComparisonId!.Value);
            Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[1], task.AssignmentId, 1, false, null)).Outcome);
            if (second.Count < 30) continue;
            Assert.InRange((contexts.Commands - before) / 30.0, 0, firstPassCommands + 1);
            // At most once, when the first hand-out found what the first rater's last call had read ahead all taken.
            Assert.InRange(contexts.Texts.Skip(sentBefore).Count(IsFullDraw), 0, 1);
        }
        Assert.Equal(ids.Skip(200), second.Order());
    }

    [Fact]
    public async Task A_project_with_gold_draws_by_its_gold_rate_from_the_first_hand_out_and_asks_gold_of_every_rater()
    {
        // Gold on the lowest id, gold rate 0: gold is given only once a rater has no regular comparison left. A draw
        // from the untouched read-ahead (lowest id first) would hand it out first, and to one rater only (k = 1).
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, ids) = await RatingFixture.ProjectAsync(database, 3, k: 1, goldRate: 0);
        await using (var db = await ContextAsync(database))
        {
            db.GoldAnswers.Add(new GoldAnswer { ComparisonId = ids[0], Side = GoldSide.A, MinimumStrength = 1, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = Service(database);
        async Task<long> RateAsync(string rater)
        {
            var task = (await service.NextAsync(rater))!;
            Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(rater, task.AssignmentId, 1, false, null)).Outcome);
            await using var db = await ContextAsync(database);
            return (await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).ComparisonId!.Value;
        }

        List<long> first = [await RateAsync(raters[0]), await RateAsync(raters[0])]; // the regular two, in either order (ties are drawn at random)
        Assert.Equal([ids[1], ids[2]], first.Order());
        Assert.Equal(ids[0], await RateAsync(raters[0]));
        Assert.Equal(ids[0], await RateAsync(raters[1])); // the regular ones have their one vote; gold is asked again
        Assert.Null(await service.NextAsync(raters[1]));
    }

    [Fact]
    public async Task An_expired_lease_returns_the_comparison_to_the_queue()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 1, k: 1);
        var raters = await RatingFixture.RatersAsync(database, pool, 2);
        var service = Service(database);

        var task = (await service.NextAsync(raters[0]))!;
        Assert.Null(await service.NextAsync(raters[1])); // k = 1 and it is leased

        await using (var db = await ContextAsync(database))
            await db.Assignments.ExecuteUpdateAsync(s => s.SetProperty(a => a.LeaseExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)));

        var taken = (await service.NextAsync(raters[1]))!;
        Assert.Equal(RatingOutcome.Stored, (await service.SubmitAsync(raters[1], taken.AssignmentId, 1, false, null)).Outcome);
        // The first rater's late vote would exceed k: refused with a clear message, nothing stored.
        var late = await service.SubmitAsync(raters[0], task.AssignmentId, -1, false, null);
        Assert.Equal(RatingOutcome.LeaseExpired, late.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(late.Error));
        await using var check = await ContextAsync(database);
        Assert.Equal(1, await check.Votes.CountAsync());
    }

    [Fact]
    public async Task Disagreeing_first_votes_ask_m_more_raters()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, comparisons) = await RatingFixture.ProjectAsync(database, 1, k: 3, extraRaters: 2);
        var raters = await RatingFixture.RatersAsync(database, pool, 6);
        var service = Service(database);
        var screenChoices = new[] { -2, 2, 0, 1, 1, 1 };
        var served = 0;
        for (var i = 0; i < raters.Count; i++)
        {
            var task = await service.NextAsync(raters[i]);
            if (task is null) continue;
            served++;
            // Choose on screen so that the stored directions disagree (A, B, tie).
            await using var db = await ContextAsync(database);
            var aLeft = (await db.Assignments.SingleAsync(a => a.Id == task.AssignmentId)).AShownLeft;
            await service.SubmitAsync(raters[i], task.AssignmentId, VoteStrength.ToScreen(screenChoices[i], aLeft), false, null);
        }
        Assert.Equal(5, served); // k = 3 disagreed, so 2 more were asked; the 6th rater got nothing
        await using var check = await ContextAsync(database);
        Assert.Equal(5, (await check.Comparisons.SingleAsync()).RequiredVotes);
    }

    [Fact]
    public async Task The_daily_quota_stops_handing_out_assignments()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, pool, _) = await RatingFixture.ProjectAsync(database, 5, k: 1, quota: 2);
        var rater = (await RatingFixture.RatersAsync(database, pool, 1))[0];
        var service = Service(database);
        for (var i = 0; i < 2; i++)
        {
            var task = (await service.NextAsync(rater))!;
            Assert.Equal(i, task.DoneToday);
            Assert.Equal(2, task.DailyQuota);
            await service.SubmitAsync(rater, task.AssignmentId, 1, false, null);
        }
        Assert.Null(await service.NextAsync(rater));
    }

    [Fact]
    public async Task Raters_outside_the_projects_pools_get_nothing()
    {
        await using var database = await RatingFixture.DatabaseAsync();
        var (_, _, _) = await RatingFixture.ProjectAsync(database, 3);
        var (_, otherPool, _) = await RatingFixture.ProjectAsync(database, 0);
        var outsider = (await RatingFixture.RatersAsync(database, otherPool, 1))[0];
        Assert.Null(await Service(database).NextAsync(outsider));
    }
}
