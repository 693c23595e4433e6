using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Rating;

/// <summary>
/// A rater's own recent votes, and changing or undoing one while <see cref="VoteChangeRules"/> allow: until the comparison
/// has all its votes or the project's window (<see cref="ProjectSettings.VoteChangeMinutes"/>) has passed. A change
/// rewrites the vote in place (one counted vote per rater and comparison stays one; the audit trail keeps the before and
/// after); an undo voids the vote and releases its assignment, so the comparison goes back to the pool and anyone, the
/// same rater too, may take it. Both run in the rating path's serial write transaction, and a rater only ever reaches
/// their own votes: another rater's vote is "no such vote of yours".
/// </summary>
public sealed class VoteHistoryService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, WriteGate writes, FreshComparisonHint fresh)
{
    /// <summary>The votes the history shows.</summary>
    public const int RecentCount = 20;

    /// <summary>The void reason of an undone vote (the raw export shows it).</summary>
    public const string UndoneReason = "Undone by the rater";

    private static readonly RatingResult NotYours = new(RatingOutcome.NotFound, "There is no such vote of yours.");

    /// <summary>The rater's counted votes, newest first (at most <see cref="RecentCount"/>), each with whether it can still change.</summary>
    public async Task<IReadOnlyList<VoteHistoryItem>> RecentAsync(string raterId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var votes = await db.Votes.AsNoTracking().Counted().Where(v => v.RaterId == raterId)
            .OrderByDescending(v => v.Id).Take(RecentCount).ToListAsync(ct);
        if (votes.Count == 0) return [];

        var comparisonIds = votes.Select(v => v.ComparisonId).Distinct().ToList();
        var comparisons = await db.Comparisons.AsNoTracking().Where(c => comparisonIds.Contains(c.Id))
            .Select(c => new { c.Id, c.PromptId, c.ResponseAId, c.ResponseBId, c.RequiredVotes, Counted = db.Votes.Counted().Count(v => v.ComparisonId == c.Id) })
            .ToDictionaryAsync(c => c.Id, ct);
        var projectIds = votes.Select(v => v.ProjectId).Distinct().ToList();
        var projects = await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var promptIds = comparisons.Values.Select(c => c.PromptId).Distinct().ToList();
        var prompts = await db.Prompts.AsNoTracking().Where(p => promptIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var responseIds = comparisons.Values.SelectMany(c => new[] { c.ResponseAId, c.ResponseBId }).Distinct().ToList();
        var responses = await db.Responses.AsNoTracking().Where(r => responseIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Text, ct);

        return votes.Select(v =>
        {
            var c = comparisons[v.ComparisonId];
            var project = projects[v.ProjectId];
            var prompt = prompts[c.PromptId];
            var (a, b) = (responses[c.ResponseAId], responses[c.ResponseBId]);
            var (left, right) = v.AShownLeft ? (a, b) : (b, a);
            return new VoteHistoryItem(v.Id, project.Id, project.TitleForRaters, project.RationaleRequired, prompt.Text,
                ConversationTurn.FromJson(prompt.MessagesJson), left, right, VoteStrength.ToScreen(v.Strength, v.AShownLeft), v.BothBad,
                v.Rationale, v.SubmittedAtUtc, v.EditedAtUtc, VoteChangeRules.ChangeableUntil(v.SubmittedAtUtc, project.VoteChangeMinutes),
                WhyFinal(project, c.Counted, c.RequiredVotes, v.SubmittedAtUtc, now));
        }).ToList();
    }

    /// <summary>
    /// Changes the rater's own vote to another choice (<paramref name="screenChoice"/> as shown: -2 left much better ..
    /// 2 right much better), both-bad flag and rationale. Refused, with nothing changed, once the vote is final.
    /// </summary>
    public async Task<RatingResult> ChangeAsync(AuditActor rater, long voteId, int screenChoice, bool bothBad, string? rationale, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rater);
        rationale = VoteInput.Rationale(rationale);
        if (VoteInput.Problem(screenChoice, rationale) is { } problem) return problem;

        return await ChangeOwnVoteAsync(rater, voteId, (db, vote, project, now) => Task.FromResult(Rewrite(db, rater, vote, project, now, screenChoice, bothBad, rationale)), ct);
    }

    /// <summary>The change itself, on the tracked vote: refused without a rationale the project asks for; nothing when nothing differs.</summary>
    private static RatingResult Rewrite(RlhfDbContext db, AuditActor rater, Vote vote, Project project, DateTime now, int screenChoice, bool bothBad, string rationale)
    {
        if (VoteInput.MissingRationale(project, rationale) is { } missing) return missing;
        var strength = VoteStrength.FromScreen(screenChoice, vote.AShownLeft);
        if (strength == vote.Strength && bothBad == vote.BothBad && rationale == vote.Rationale)
            return new RatingResult(RatingOutcome.AlreadyStored, null, vote.Id); // nothing to change
        var details = $"comparison {vote.ComparisonId}: strength {vote.Strength} -> {strength}, both bad {YesNo(vote.BothBad)} -> {YesNo(bothBad)}"
            + (rationale == vote.Rationale ? "" : ", rationale changed");
        vote.Strength = strength;
        vote.BothBad = bothBad;
        vote.Rationale = rationale;
        vote.EditedAtUtc = now;
        vote.EditCount++;
        AuditLog.Add(db, rater, "vote.changed", $"vote {vote.Id}", details);
        return new RatingResult(RatingOutcome.Stored, null, vote.Id);
    }

    /// <summary>
    /// Undoes the rater's own vote: it is voided (kept, never counted) and its assignment released, so the comparison's
    /// counts drop and it goes back to the pool. Refused, with nothing changed, once the vote is final.
    /// </summary>
    public async Task<RatingResult> UndoAsync(AuditActor rater, long voteId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rater);
        (int ProjectId, long ComparisonId) released = default;
        var result = await ChangeOwnVoteAsync(rater, voteId, async (db, vote, project, now) =>
        {
            vote.VoidedAtUtc = now;
            vote.VoidedById = rater.UserId;
            vote.VoidReason = UndoneReason;
            var assignment = await db.Assignments.SingleAsync(a => a.Id == vote.AssignmentId, ct);
            assignment.Status = AssignmentStatus.Released;
            assignment.FinishedAtUtc = now;
            AuditLog.Add(db, rater, "vote.undone", $"vote {vote.Id}",
                $"comparison {vote.ComparisonId}: strength {vote.Strength}, both bad {YesNo(vote.BothBad)}; back in the pool");
            released = (project.Id, vote.ComparisonId);
            return new RatingResult(RatingOutcome.Stored, null, vote.Id);
        }, ct);
        if (result.Outcome == RatingOutcome.Stored) fresh.Retreat(released.ProjectId, released.ComparisonId); // untouched again when it was the only vote: handed out next
        return result;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the rater's own vote inside the rating path's serial write transaction, when
    /// the vote may still change; only a <see cref="RatingOutcome.Stored"/> answer is saved (with adaptive overlap
    /// recomputed) and committed, any other leaves everything as it was.
    /// </summary>
    private async Task<RatingResult> ChangeOwnVoteAsync(AuditActor rater, long voteId, Func<RlhfDbContext, Vote, Project, DateTime, Task<RatingResult>> change, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        using var turn = await writes.EnterAsync(ct);
        await using var tx = await db.Database.BeginSerialWriteAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var (vote, project, comparison, refused) = await OpenAsync(db, rater, voteId, now, ct);
        if (refused is not null) return refused;
        var result = await change(db, vote!, project!, now);
        if (result.Outcome != RatingOutcome.Stored) return result;
        await db.SaveChangesAsync(ct);
        await UpdateRequiredVotesAsync(db, project!, comparison!, now, ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// The rater's vote with its project and comparison (tracked, inside the caller's write transaction), or why it
    /// cannot be changed: not theirs, voided, account locked, project not active, or final.
    /// </summary>
    private async Task<(Vote? Vote, Project? Project, Comparison? Comparison, RatingResult? Refused)> OpenAsync(
        RlhfDbContext db, AuditActor rater, long voteId, DateTime now, CancellationToken ct)
    {
        if (rater.UserId is not { } raterId) return (null, null, null, NotYours);
        var vote = await db.Votes.SingleOrDefaultAsync(v => v.Id == voteId && v.RaterId == raterId, ct);
        if (vote is null) return (null, null, null, NotYours);
        if (vote.VoidedAtUtc is not null)
            return (null, null, null, new RatingResult(RatingOutcome.Closed, vote.VoidedById == raterId && vote.VoidReason == UndoneReason
                ? "You already undid this vote." : "This vote was voided by an admin; it can no longer be changed."));
        if (await RatingService.IsLockedAsync(db, raterId, clock, ct))
            return (null, null, null, new RatingResult(RatingOutcome.Locked, "Your account is locked; nothing was changed."));
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == vote.ProjectId, ct);
        if (project.Status != ProjectStatus.Active)
            return (null, null, null, new RatingResult(RatingOutcome.ProjectNotActive,
                $"'{project.TitleForRaters}' is {project.Status.ToString().ToLowerInvariant()}; its votes cannot be changed now."));
        var comparison = await db.Comparisons.SingleAsync(c => c.Id == vote.ComparisonId, ct);
        var counted = await db.Votes.Counted().CountAsync(v => v.ComparisonId == comparison.Id, ct);
        if (WhyFinal(project, counted, comparison.RequiredVotes, vote.SubmittedAtUtc, now) is { } why)
            return (null, null, null, new RatingResult(RatingOutcome.Final, why));
        return (vote, project, comparison, null);
    }

    private static string? WhyFinal(Project project, int counted, int required, DateTime submittedAtUtc, DateTime now) =>
        VoteChangeRules.WhyFinal(counted, required, submittedAtUtc, project.VoteChangeMinutes, now);

    /// <summary>
    /// Adaptive overlap again from the votes as they now stand (saved), as a submit does; never below the votes stored
    /// plus the leases still open, so a changed first-k that now agrees cannot leave a comparison past its overlap.
    /// </summary>
    private static async Task UpdateRequiredVotesAsync(RlhfDbContext db, Project project, Comparison comparison, DateTime now, CancellationToken ct)
    {
        if (project.AdaptiveExtraRaters == 0) return; // k stands whatever the votes say
        var (required, counted) = await AdaptiveOverlapVotes.RequiredVotesAsync(db, project, comparison.Id, ct);
        var leases = await db.Assignments.LiveLeases(now).CountAsync(a => a.ComparisonId == comparison.Id, ct);
        comparison.RequiredVotes = Math.Max(required, counted + leases);
        await db.SaveChangesAsync(ct);
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
