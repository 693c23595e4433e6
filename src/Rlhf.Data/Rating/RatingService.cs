using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Core.Telemetry;
using Rlhf.Data.Database;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Rating;

/// <summary>
/// Hands out assignments and takes votes. Every hand-out, vote and skip writes in a serial write transaction (SQLite's
/// immediate transaction, PostgreSQL's advisory lock: <see cref="WriteTransactions.BeginSerialWriteAsync"/>), so
/// concurrent raters are serialised, across site instances too, and a comparison never gets more than its required
/// votes (gold aside). Inside this process the writes queue at the <see cref="GroupCommit"/>, which runs them in
/// batches, one transaction and one fsync a batch, and answers each once its batch committed.
/// </summary>
public sealed class RatingService(
    IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, GroupCommit commits, FreshComparisonHint fresh, LeaseSweepMark sweep,
    ComparisonCounts comparisonCounts)
{
    public const int MaxRationaleLength = 4000;
    /// <summary>Untouched comparisons read per hand-out: enough for concurrent raters to rarely pick the same one.</summary>
    private const int UntouchedBatch = 200;
    /// <summary>Picks tried from a stale read before the draw is redone inside the write transaction.</summary>
    private const int StaleAttempts = 3;

    /// <summary>The rater's live assignment, or a new one; null when there is nothing for them to rate.</summary>
    public async Task<RatingTask?> NextAsync(string raterId, CancellationToken ct = default)
    {
        using var span = RlhfTracing.Source.StartActivity("rating.handout");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var task = await HandOutAsync(raterId, ct);
            span?.SetTag("rlhf.outcome", task is null ? "none" : "assigned").SetTag("rlhf.project_id", task?.ProjectId);
            return task;
        }
        finally { RlhfMetrics.HandOutDuration.Record(RlhfMetrics.SecondsSince(started)); }
    }

    private async Task<RatingTask?> HandOutAsync(string raterId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // The reads before the write share one opening of the connection, and those after it another: each opening of an
        // SQLite connection registers EF Core's SQL functions on it again (3 % of the site's CPU at three a hand-out). It
        // is not held while the hand-out waits for its group commit (PostgreSQL's pool has 100 connections).
        await db.Database.OpenConnectionAsync(ct);
        // Reads first, outside the write gate (WAL readers run side by side): the rater's lockout and live lease in one
        // read, then their projects and the neediest comparisons as they stand now.
        var rater = await RatingQueries.RaterAsync(db, raterId, now, ct);
        if (rater is null || IsLocked(rater.LockoutEnd, clock)) return null; // even an open circuit of a locked rater gets nothing
        if (rater.LiveId is { } current) return await TaskForAsync(db, await RatingQueries.AssignmentByIdAsync(db, current, ct), null, ct);
        var withGold = new HashSet<int>(); // the projects among them with gold pairs: those draw from the full list
        var projects = await EligibleProjectsAsync(db, raterId, now, withGold, ct);
        var readAhead = new List<(AssignmentCandidate Candidate, int Level)>(); // taken from the read-ahead: what is not leased goes back
        var closed = new HashSet<long>();                // taken ids the write transaction found closed to everyone
        Assignment? assignment = null;
        long? liveId = null;                             // the rater's live lease, found in the write
        try
        {
            var candidates = await DrawAsync(db, projects, withGold, raterId, now, readAhead, ct);
            await db.Database.CloseConnectionAsync();

            // Then one short write, in the next group commit. The pick is checked again there, so a comparison taken
            // meanwhile is never leased past its required votes; when no pick holds, the whole draw is redone inside.
            var written = await commits.RunAsync(async (w, ct) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                long? oldestOpen = sweep.TryClaim(now) ? await SweepRunOutLeasesAsync(w, now, ct) : null;

                // A concurrent hand-out to the same rater may have leased meanwhile: LeaseAsync looks for their live
                // lease before it leases (with the first pick check, one statement, or on its own).
                var lease = await LeaseAsync(w, raterId, projects, candidates, now, closed, liveChecked: false, ct);
                if (lease is { Leased: null, RatersLiveId: null })
                {
                    withGold.Clear();
                    projects = await EligibleProjectsAsync(w, raterId, now, withGold, ct);
                    candidates = await DrawAsync(w, projects, withGold, raterId, now, readAhead: null, ct);
                    lease = await LeaseAsync(w, raterId, projects, candidates, now, closed: null, lease.LiveChecked, ct);
                }
                var live = lease.LiveChecked ? lease.RatersLiveId : await RatersLiveIdAsync(w, raterId, now, ct); // nothing to lease
                return (lease.Leased, LiveId: live, OldestOpen: oldestOpen);
            }, ct);
            if (written.OldestOpen is { } swept) sweep.MoveTo(swept); // only once the sweep is committed
            (assignment, liveId) = (written.Leased, written.LiveId);
        }
        finally
        {
            // Ids taken but not leased here, and not found closed, are still open to the next raters.
            // When every id taken from a lane was closed, the rest of it was most likely handed out elsewhere too.
            foreach (var lane in readAhead.GroupBy(r => (r.Candidate.ProjectId, r.Level)))
            {
                if (lane.All(r => closed.Contains(r.Candidate.ComparisonId))) fresh.Forget(lane.Key.ProjectId, lane.Key.Level);
                else fresh.PutBack(lane.Key.ProjectId, lane.Key.Level, lane.Where(r => r.Candidate.ComparisonId != assignment?.ComparisonId
                    && !closed.Contains(r.Candidate.ComparisonId)).Select(r => (r.Candidate.Votes, r.Candidate.ComparisonId)));
            }
        }
        if (liveId is null && assignment is null) return null;
        await db.Database.OpenConnectionAsync(ct);
        if (liveId is { } id) return await TaskForAsync(db, await RatingQueries.AssignmentByIdAsync(db, id, ct), null, ct);
        return await TaskForAsync(db, assignment!, projects.GetValueOrDefault(assignment!.ProjectId), ct);
    }

    /// <summary>
    /// Leases that ran out are marked expired, read from the <see cref="LeaseSweepMark"/> on (inside the write
    /// transaction, by the one hand-out that claimed the sweep due). Returns where the mark may move once the transaction commits: the oldest lease still open.
    /// </summary>
    private async Task<long> SweepRunOutLeasesAsync(RlhfDbContext db, DateTime now, CancellationToken ct)
    {
        var from = sweep.From;
        await db.Assignments.Where(a => a.Id >= from).RunOutLeases(now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Expired), ct);
        var oldestOpen = await db.Assignments.Where(a => a.Id >= from && a.Status == AssignmentStatus.Leased).MinAsync(a => (long?)a.Id, ct);
        return oldestOpen ?? (await db.Assignments.MaxAsync(a => (long?)a.Id, ct) ?? 0) + 1;
    }

    /// <summary>The id of the rater's oldest open lease in an active project (a paused project's live lease is not handed out again): <see cref="RatingQueries.RaterAsync"/>'s LiveId.</summary>
    private static async Task<long?> RatersLiveIdAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct) =>
        (await RatingQueries.RaterAsync(db, raterId, now, ct))?.LiveId;

    /// <summary>Whether the account is locked now (an admin locked it, or too many failed sign-ins).</summary>
    internal static async Task<bool> IsLockedAsync(RlhfDbContext db, string raterId, TimeProvider clock, CancellationToken ct)
    {
        var end = await db.Users.Where(u => u.Id == raterId).Select(u => u.LockoutEnd).SingleOrDefaultAsync(ct);
        return IsLocked(end, clock);
    }

    /// <summary>Whether an account with this lockout end is locked now.</summary>
    private static bool IsLocked(DateTimeOffset? lockoutEnd, TimeProvider clock) => lockoutEnd is { } end && end > clock.GetUtcNow();

    /// <summary>
    /// The comparisons to draw from. When the projects have no gold pairs: with <paramref name="readAhead"/> (outside
    /// the write transaction) the neediest taken from the <see cref="FreshComparisonHint"/>'s read-ahead and added to it
    /// (the caller puts back what it does not lease); without (inside it) the untouched ones read from the database.
    /// Else, or when there are none, the full neediest-first list.
    /// </summary>
    private async Task<List<AssignmentCandidate>> DrawAsync(RlhfDbContext db, Dictionary<int, Project> projects, IReadOnlySet<int> withGold,
        string raterId, DateTime now, List<(AssignmentCandidate Candidate, int Level)>? readAhead, CancellationToken ct)
    {
        if (projects.Count == 0) return [];
        if (!projects.Keys.Any(withGold.Contains))
        {
            List<AssignmentCandidate> neediest;
            if (readAhead is null) neediest = await UntouchedAsync(db, projects, raterId, now, ct);
            else
            {
                var taken = await TakeNeediestAsync(db, projects, now, ct);
                readAhead.AddRange(taken);
                neediest = taken.Select(t => t.Candidate).ToList();
            }
            if (neediest.Count > 0) return neediest;
        }
        return await CandidatesAsync(db, projects, raterId, now, ct);
    }

    /// <summary>
    /// Per project, up to <see cref="StaleAttempts"/> of the neediest comparisons read ahead, from the lowest coverage
    /// level (counted votes plus live leases) from 0 (untouched) to k + m - 1 (the project's overlap and adaptive extra
    /// raters) that has any. They were so when read and may have been taken since, and the rater may have had one
    /// before: the write transaction checks each. Votes is the coverage when read and RequiredVotes one more, "at least
    /// one more is needed": the check reads the real counts.
    /// </summary>
    private async Task<List<(AssignmentCandidate Candidate, int Level)>> TakeNeediestAsync(RlhfDbContext db, Dictionary<int, Project> projects, DateTime now, CancellationToken ct)
    {
        var result = new List<(AssignmentCandidate Candidate, int Level)>();
        foreach (var (projectId, project) in projects)
            for (var level = 0; level < Math.Max(1, project.Overlap + project.AdaptiveExtraRaters); level++)
            {
                var atMost = level;
                var taken = await fresh.TakeAsync(projectId, level, StaleAttempts, now, from => CoveredAtMostAsync(db, projectId, atMost, from, now, ct), ct);
                if (taken.Count == 0) continue;
                result.AddRange(taken.Select(t => (new AssignmentCandidate(t.Id, projectId, t.Coverage, 0, t.Coverage + 1, false), level)));
                break;
            }
        return result.OrderBy(r => r.Candidate.Votes).ThenBy(r => r.Candidate.ComparisonId).ToList();
    }

    /// <summary>
    /// Up to <see cref="FreshComparisonHint.ReadAheadBatch"/> of the project's comparisons from <paramref name="from"/> on
    /// with at most <paramref name="level"/> counted votes plus live leases and still short of their required votes,
    /// lowest id first, with that coverage.
    /// </summary>
    private static async Task<List<(int Coverage, long Id)>> CoveredAtMostAsync(RlhfDbContext db, int projectId, int level, long from, DateTime now, CancellationToken ct)
    {
        if (level == 0)
            return (await Untouched(db, projectId, from, now).Take(FreshComparisonHint.ReadAheadBatch).Select(c => c.Id).ToListAsync(ct))
                .Select(id => (0, id)).ToList();
        var found = await db.Comparisons.AsNoTracking()
            .Where(c => c.ProjectId == projectId && c.Id >= from)
            .Select(c => new
            {
                c.Id,
                c.RequiredVotes,
                Coverage = db.Votes.Counted().Count(v => v.ComparisonId == c.Id) + db.Assignments.LiveLeases(now).Count(a => a.ComparisonId == c.Id),
            })
            .Where(c => c.Coverage <= level && c.Coverage < c.RequiredVotes)
            .OrderBy(c => c.Id).Take(FreshComparisonHint.ReadAheadBatch)
            .ToListAsync(ct);
        return found.Select(c => (c.Coverage, c.Id)).ToList();
    }

    /// <summary>
    /// Up to <see cref="UntouchedBatch"/> comparisons with neither a vote nor a live lease that the rater has never been
    /// given (not even a lease that ran out: its late vote may still count), lowest id first.
    /// </summary>
    private async Task<List<AssignmentCandidate>> UntouchedAsync(RlhfDbContext db, Dictionary<int, Project> projects, string raterId, DateTime now, CancellationToken ct)
    {
        var result = new List<AssignmentCandidate>();
        foreach (var projectId in projects.Keys)
        {
            var found = await Untouched(db, projectId, fresh.From(projectId), now)
                .Take(UntouchedBatch)
                // Whether the rater had it before: read per row (an index seek on RaterId, ComparisonId), not filtered,
                // so the first untouched comparison moves the hint whoever asks.
                .Select(c => new { c.Id, c.RequiredVotes, Theirs = db.Assignments.NotReleased().Any(a => a.ComparisonId == c.Id && a.RaterId == raterId) })
                .ToListAsync(ct);
            if (found.Count == 0) continue;
            fresh.Advance(projectId, found[0].Id); // every comparison below the first untouched one is worked on
            result.AddRange(found.Where(f => !f.Theirs).Select(f => new AssignmentCandidate(f.Id, projectId, 0, 0, f.RequiredVotes, false)));
        }
        return result.OrderBy(c => c.ComparisonId).Take(UntouchedBatch).ToList();
    }

    /// <summary>The project's comparisons from <paramref name="from"/> on with neither a counted vote nor a live lease, lowest id first.</summary>
    private static IQueryable<Comparison> Untouched(RlhfDbContext db, int projectId, long from, DateTime now) =>
        db.Comparisons.AsNoTracking()
            .Where(c => c.ProjectId == projectId && c.Id >= from && c.RequiredVotes > 0)
            .Where(c => !db.Votes.Counted().Any(v => v.ComparisonId == c.Id))
            .Where(c => !db.Assignments.LiveLeases(now).Any(a => a.ComparisonId == c.Id))
            .OrderBy(c => c.Id);

    /// <summary>Up to 500 comparisons the rater was never given, neediest (fewest votes + live leases) first.</summary>
    private static async Task<List<AssignmentCandidate>> CandidatesAsync(
        RlhfDbContext db, Dictionary<int, Project> projects, string raterId, DateTime now, CancellationToken ct)
    {
        var projectIds = projects.Keys.ToList();
        return await db.Comparisons.AsNoTracking()
            .Where(c => projectIds.Contains(c.ProjectId))
            .Where(c => !db.Assignments.NotReleased().Any(a => a.ComparisonId == c.Id && a.RaterId == raterId))
            .Select(c => new
            {
                c.Id,
                c.ProjectId,
                c.RequiredVotes,
                IsGold = db.GoldAnswers.Any(g => g.ComparisonId == c.Id),
                Votes = db.Votes.Counted().Count(v => v.ComparisonId == c.Id),
                Leases = db.Assignments.LiveLeases(now).Count(a => a.ComparisonId == c.Id),
            })
            .Where(c => c.IsGold || c.Votes + c.Leases < c.RequiredVotes)
            .OrderBy(c => c.Votes + c.Leases).ThenBy(c => c.Id)
            .Take(500)
            .Select(c => new AssignmentCandidate(c.Id, c.ProjectId, c.Votes, c.Leases, c.RequiredVotes, c.IsGold))
            .ToListAsync(ct);
    }

    /// <summary>
    /// Draws from the candidates and leases the pick to the rater (saved, not committed). With <paramref name="closed"/>
    /// the candidates may be stale: each pick is checked against the database first and dropped when it no longer holds,
    /// and the ids found closed to every rater (not only to this one) are added to it. Unless
    /// <paramref name="liveChecked"/>, the rater's live lease is looked for before anything is leased (read with the
    /// first pick check) and returned instead when there is one.
    /// </summary>
    private static async Task<LeaseOutcome> LeaseAsync(RlhfDbContext db, string raterId, Dictionary<int, Project> projects,
        List<AssignmentCandidate> candidates, DateTime now, ICollection<long>? closed, bool liveChecked, CancellationToken ct)
    {
        var recheck = closed is not null;
        // Without a recheck the candidates were read in this transaction: the first pick holds, so one attempt.
        for (var attempt = 0; attempt < (recheck ? StaleAttempts : 1) && candidates.Count > 0; attempt++)
        {
            // The project of the neediest comparison sets the gold rate for this draw.
            var neediest = candidates.FirstOrDefault(c => !c.IsGold) ?? candidates[0];
            var project = projects[neediest.ProjectId];
            var pick = AssignmentPolicy.PickNext(candidates.Where(c => c.ProjectId == project.Id).ToList(), project.GoldRate, Random.Shared);
            if (pick is null) break;
            if (recheck)
            {
                // Whether the rater had it before (an expired lease of theirs still counts, as its late vote may be
                // stored), and whether it is still needed: gold, or short of votes.
                var state = await RatingQueries.PickAsync(db, pick.ComparisonId, raterId, now, ct);
                if (state is not null && !liveChecked)
                {
                    liveChecked = true;
                    if (state.RatersLiveId is { } live) return new LeaseOutcome(null, live, true);
                }
                var needed = state is not null && (pick.IsGold || state.Votes + state.Leases < state.RequiredVotes);
                if (!needed) closed!.Add(pick.ComparisonId);
                if (state is null || state.Theirs || !needed)
                {
                    candidates.RemoveAll(c => c.ComparisonId == pick.ComparisonId);
                    continue;
                }
            }
            if (!liveChecked)
            {
                liveChecked = true;
                if (await RatersLiveIdAsync(db, raterId, now, ct) is { } live) return new LeaseOutcome(null, live, true);
            }
            var assignment = new Assignment
            {
                ProjectId = project.Id,
                ComparisonId = pick.ComparisonId,
                RaterId = raterId,
                AShownLeft = Random.Shared.Next(2) == 0,
                Status = AssignmentStatus.Leased,
                StartedAtUtc = now,
                LeaseExpiresAtUtc = now.AddMinutes(project.LeaseMinutes),
            };
            await RowStatements.InsertAsync(db, assignment, ct); // a plain insert: SaveChanges rebuilt its command every time
            return new LeaseOutcome(assignment, null, true);
        }
        return new LeaseOutcome(null, null, liveChecked);
    }

    /// <summary>
    /// Stores the rater's vote on their own assignment. <paramref name="screenChoice"/> is -2 (left much better) ..
    /// 2 (right much better). A second submit of the same assignment stores nothing and returns the first vote.
    /// </summary>
    public async Task<RatingResult> SubmitAsync(string raterId, long assignmentId, int screenChoice, bool bothBad, string? rationale, CancellationToken ct = default)
    {
        using var span = RlhfTracing.Source.StartActivity("rating.vote")?.SetTag("rlhf.assignment_id", assignmentId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await StoreVoteAsync(raterId, assignmentId, screenChoice, bothBad, rationale, ct);
            span?.SetTag("rlhf.outcome", result.Outcome.ToString());
            if (result.Outcome == RatingOutcome.Stored) RlhfMetrics.VotesStored.Add(1);
            return result;
        }
        finally { RlhfMetrics.VoteDuration.Record(RlhfMetrics.SecondsSince(started)); }
    }

    private async Task<RatingResult> StoreVoteAsync(string raterId, long assignmentId, int screenChoice, bool bothBad, string? rationale, CancellationToken ct)
    {
        rationale = VoteInput.Rationale(rationale);
        if (VoteInput.Problem(screenChoice, rationale) is { } problem) return problem;

        return await commits.RunAsync((db, ct) => WriteVoteAsync(db, raterId, assignmentId, screenChoice, bothBad, rationale, ct), ct);
    }

    /// <summary>The vote's write, in a group commit: every check and the vote itself in one serial transaction.</summary>
    private async Task<RatingResult> WriteVoteAsync(RlhfDbContext db, string raterId, long assignmentId, int screenChoice, bool bothBad,
        string rationale, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // One read for every check below: the assignment and its comparison, its project, the rater's lockout and
        // whether they already voted on the comparison through another assignment. Read untracked; what changes is
        // written by plain statements (RowStatements), named column by column.
        var scene = await RatingQueries.SceneAsync(db, assignmentId, raterId, ct);
        if (scene is null) return new RatingResult(RatingOutcome.NotFound, "There is no such assignment of yours.");
        var (assignment, project, comparison) = (scene.Assignment, scene.Project, scene.Comparison);

        if (assignment.Status == AssignmentStatus.Submitted)
        {
            var existing = await db.Votes.AsNoTracking().SingleAsync(v => v.AssignmentId == assignmentId, ct);
            return new RatingResult(RatingOutcome.AlreadyStored, null, existing.Id);
        }
        if (assignment.Status == AssignmentStatus.Skipped) return new RatingResult(RatingOutcome.Closed, "You skipped this comparison.");
        if (assignment.Status == AssignmentStatus.Released) return UndoneAssignment;
        if (IsLocked(scene.LockoutEnd, clock))
            return new RatingResult(RatingOutcome.Locked, "Your account is locked; your vote was not stored.");

        if (project.Status != ProjectStatus.Active)
            return new RatingResult(RatingOutcome.ProjectNotActive, $"'{project.TitleForRaters}' is {project.Status.ToString().ToLowerInvariant()}; your vote was not stored.");
        if (VoteInput.MissingRationale(project, rationale) is { } missing) return missing;
        if (scene.VotedBefore)
        {
            // An earlier assignment of the same comparison was voted on: one counted vote per rater and comparison.
            if (assignment.Status == AssignmentStatus.Leased) await ExpireAsync(db, assignment, ct);
            return AlreadyVoted;
        }

        if (!assignment.IsOpen(now)) // leased or expired here: submitted and skipped returned above
        {
            // A late vote is kept when the comparison still needs it: no work is lost, k is never exceeded.
            var isGold = await db.GoldAnswers.AnyAsync(g => g.ComparisonId == comparison.Id, ct);
            var votes = await db.Votes.Counted().CountAsync(v => v.ComparisonId == comparison.Id, ct);
            var others = await db.Assignments.LiveLeases(now).CountAsync(a => a.ComparisonId == comparison.Id && a.Id != assignment.Id, ct);
            if (!isGold && votes + others >= comparison.RequiredVotes)
            {
                await ExpireAsync(db, assignment, ct);
                return new RatingResult(RatingOutcome.LeaseExpired, "Your time on this comparison ran out and others have rated it; here is the next one.");
            }
        }

        var vote = new Vote
        {
            AssignmentId = assignment.Id,
            ComparisonId = comparison.Id,
            ProjectId = assignment.ProjectId,
            RaterId = raterId,
            Strength = VoteStrength.FromScreen(screenChoice, assignment.AShownLeft),
            BothBad = bothBad,
            Rationale = rationale,
            AShownLeft = assignment.AShownLeft,
            SecondsOnTask = Math.Max(0, (now - assignment.StartedAtUtc).TotalSeconds),
            SubmittedAtUtc = now,
        };
        assignment.Status = AssignmentStatus.Submitted;
        assignment.FinishedAtUtc = now;
        try
        {
            await RowStatements.UpdateAsync(db, assignment, SubmittedColumns, ct);
            await RowStatements.InsertAsync(db, vote, ct);
        }
        catch (Exception e) when (UniqueViolation.Is(e, RlhfDbContext.CountedVotePerRaterIndex, "Votes.RaterId"))
        {
            // The rater's counted vote on the comparison was stored by a write outside the rating path (the unique index
            // held). The assignment's update before it is undone: the assignment is left as it was.
            await GroupCommit.UndoWriteAsync(db, ct);
            return AlreadyVoted;
        }

        // Adaptive overlap: when the first k votes disagree, ask up to m more raters.
        var (required, _) = await AdaptiveOverlapVotes.RequiredVotesAsync(db, project, comparison.Id, ct);
        if (required != comparison.RequiredVotes)
        {
            comparison.RequiredVotes = required;
            await RowStatements.UpdateAsync(db, comparison, [nameof(Comparison.RequiredVotes)], ct);
        }
        return new RatingResult(RatingOutcome.Stored, null, vote.Id);
    }

    private static readonly string[] SubmittedColumns = [nameof(Assignment.Status), nameof(Assignment.FinishedAtUtc)];

    /// <summary>The assignment's lease is over: its status becomes Expired (in memory and in its row).</summary>
    private static async Task ExpireAsync(RlhfDbContext db, Assignment assignment, CancellationToken ct)
    {
        assignment.Status = AssignmentStatus.Expired;
        await RowStatements.UpdateAsync(db, assignment, [nameof(Assignment.Status)], ct);
    }

    private static readonly RatingResult UndoneAssignment =
        new(RatingOutcome.Closed, "You undid your vote on this comparison; it went back to the pool.");

    private static readonly RatingResult AlreadyVoted =
        new(RatingOutcome.AlreadyVoted, "You have already voted on this comparison; this vote was not stored.");

    /// <summary>Skips the rater's own live assignment with a reason; they will not be given this comparison again.</summary>
    public async Task<RatingResult> SkipAsync(string raterId, long assignmentId, string? reason, CancellationToken ct = default)
    {
        using var span = RlhfTracing.Source.StartActivity("rating.skip")?.SetTag("rlhf.assignment_id", assignmentId);
        reason = (reason ?? "").Trim();
        if (reason.Length == 0) return new RatingResult(RatingOutcome.Invalid, "Say why you skip (for example: 'I cannot judge code').");
        if (reason.Length > 500) return new RatingResult(RatingOutcome.Invalid, "The reason is longer than 500 characters.");
        // Read and written in one serial transaction (a group commit): a vote on the same assignment from another
        // instance cannot be overwritten by the skip.
        return await commits.RunAsync(async (db, ct) =>
        {
            var assignment = await db.Assignments.SingleOrDefaultAsync(a => a.Id == assignmentId && a.RaterId == raterId, ct);
            if (assignment is null) return new RatingResult(RatingOutcome.NotFound, "There is no such assignment of yours.");
            if (assignment.Status == AssignmentStatus.Skipped) return new RatingResult(RatingOutcome.AlreadyStored);
            if (assignment.Status == AssignmentStatus.Submitted) return new RatingResult(RatingOutcome.Closed, "You already voted on this comparison.");
            if (assignment.Status == AssignmentStatus.Released) return UndoneAssignment;
            assignment.Status = AssignmentStatus.Skipped;
            assignment.SkipReason = reason;
            assignment.FinishedAtUtc = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            return new RatingResult(RatingOutcome.Stored);
        }, ct);
    }

    /// <summary>
    /// Active projects open to the rater's pools, under their daily quota and not paused for them (of either kind: the
    /// demonstration service draws from the same rule).
    /// </summary>
    internal static Task<Dictionary<int, Project>> EligibleProjectsAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct) =>
        EligibleProjectsAsync(db, raterId, now, withGold: null, ct);

    /// <summary>
    /// <see cref="EligibleProjectsAsync(RlhfDbContext, string, DateTime, CancellationToken)"/>, adding to
    /// <paramref name="withGold"/> those of them that have gold pairs (read in the same statement).
    /// </summary>
    private static async Task<Dictionary<int, Project>> EligibleProjectsAsync(RlhfDbContext db, string raterId, DateTime now,
        ISet<int>? withGold, CancellationToken ct)
    {
        var projects = await RatingQueries.ProjectsOfRaterAsync(db, raterId).ToListAsync(ct);
        var today = now.Date;
        var eligible = new Dictionary<int, Project>();
        foreach (var (p, hasGold) in projects)
        {
            var projectId = p.Id;
            if (p.DailyQuota is { } quota &&
                await RatersVotesToday(db, raterId, today).SumAsync(v => v.ProjectId == projectId ? 1 : 0, ct)
                + await db.Demonstrations.Where(d => d.RaterId == raterId && d.SubmittedAtUtc >= today).SumAsync(d => d.ProjectId == projectId ? 1 : 0, ct) >= quota)
                continue;
            if (p.PauseFlaggedRaters && await IsFlaggedAsync(db, p, raterId, ct)) continue;
            eligible[p.Id] = p;
            if (hasGold) withGold?.Add(p.Id);
        }
        return eligible;
    }

    /// <summary>
    /// The rater's votes since midnight (UTC). Callers count one project's with a sum, not a filter: with ProjectId in
    /// the filter SQLite picks the (ProjectId, SubmittedAtUtc) index and reads the whole project's day for every call.
    /// </summary>
    private static IQueryable<Vote> RatersVotesToday(RlhfDbContext db, string raterId, DateTime today) =>
        db.Votes.Where(v => v.RaterId == raterId && v.SubmittedAtUtc >= today);

    /// <summary>The rater's gold record in a project.</summary>
    public static async Task<RaterGoldStats> GoldStatsAsync(RlhfDbContext db, int projectId, string raterId, CancellationToken ct)
    {
        var answered = await db.Votes.AsNoTracking()
            .Counted().Where(v => v.ProjectId == projectId && v.RaterId == raterId)
            .Join(db.GoldAnswers, v => v.ComparisonId, g => g.ComparisonId, (v, g) => new { v.Strength, g.Side, g.MinimumStrength })
            .ToListAsync(ct);
        return new RaterGoldStats(answered.Count, answered.Count(a => GoldGrading.IsCorrect(a.Side, a.MinimumStrength, a.Strength)));
    }

    private static async Task<bool> IsFlaggedAsync(RlhfDbContext db, Project p, string raterId, CancellationToken ct) =>
        RaterQuality.IsFlagged(await GoldStatsAsync(db, p.Id, raterId, ct), p.GoldMinimumAccuracy, p.GoldMinimumAnswers);

    /// <summary>What the rater sees for an assignment: one query for the pair, the prompt and the rater's counts (<see cref="RatingQueries.ShownAsync"/>); the project's size from <see cref="ComparisonCounts"/>.</summary>
    private async Task<RatingTask> TaskForAsync(RlhfDbContext db, Assignment a, Project? project, CancellationToken ct)
    {
        project ??= await db.Projects.AsNoTracking().SingleAsync(p => p.Id == a.ProjectId, ct);
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var (raterId, projectId) = (a.RaterId, a.ProjectId);
        var shown = await RatingQueries.ShownAsync(db, a.ComparisonId!.Value, raterId, projectId, today, ct);
        var inProject = await comparisonCounts.InProjectAsync(db, projectId, ct);   // counted every few seconds, not on every hand-out
        var (left, right) = a.AShownLeft ? ((Text: shown.A, CutOff: shown.ACutOff), (Text: shown.B, CutOff: shown.BCutOff))
            : ((Text: shown.B, CutOff: shown.BCutOff), (Text: shown.A, CutOff: shown.ACutOff));
        var conversation = ConversationTurn.FromJson(shown.MessagesJson);
        return new RatingTask(a.Id, project.Id, project.TitleForRaters, project.RaterDescription, project.Guidelines, project.RationaleRequired,
            shown.Prompt, conversation, left.Text, right.Text, a.StartedAtUtc, a.LeaseExpiresAtUtc, shown.DoneToday, project.DailyQuota,
            shown.DoneInProject, inProject, left.CutOff, right.CutOff);
    }
}
