using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;

namespace Rlhf.Data.Rating;

/// <summary>
/// Hands out assignments and takes votes. Every hand-out and vote runs in an immediate SQLite transaction, so
/// concurrent raters are serialised and a comparison never gets more than its required votes (gold aside).
/// </summary>
public sealed class RatingService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    public const int MaxRationaleLength = 4000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The rater's live assignment, or a new one; null when there is nothing for them to rate.</summary>
    public async Task<RatingTask?> NextAsync(string raterId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;

        // Leases that ran out go back to the queue.
        await db.Assignments.Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AssignmentStatus.Expired), ct);

        var live = await db.Assignments.AsNoTracking()
            .Where(a => a.RaterId == raterId && a.Status == AssignmentStatus.Leased)
            .OrderBy(a => a.Id).FirstOrDefaultAsync(ct);
        if (live is not null)
        {
            await tx.CommitAsync(ct);
            return await TaskForAsync(db, live, ct);
        }

        var projects = await EligibleProjectsAsync(db, raterId, now, ct);
        if (projects.Count == 0) { await tx.CommitAsync(ct); return null; }
        var projectIds = projects.Keys.ToList();

        var candidates = await db.Comparisons.AsNoTracking()
            .Where(c => projectIds.Contains(c.ProjectId))
            .Where(c => !db.Assignments.Any(a => a.ComparisonId == c.Id && a.RaterId == raterId && a.Status != AssignmentStatus.Expired))
            .Select(c => new
            {
                c.Id,
                c.ProjectId,
                c.RequiredVotes,
                IsGold = db.GoldAnswers.Any(g => g.ComparisonId == c.Id),
                Votes = db.Votes.Count(v => v.ComparisonId == c.Id && v.VoidedAtUtc == null),
                Leases = db.Assignments.Count(a => a.ComparisonId == c.Id && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now),
            })
            .Where(c => c.IsGold || c.Votes + c.Leases < c.RequiredVotes)
            .OrderBy(c => c.Votes + c.Leases).ThenBy(c => c.Id)
            .Take(500)
            .ToListAsync(ct);
        if (candidates.Count == 0) { await tx.CommitAsync(ct); return null; }

        // The project of the neediest comparison sets the gold rate for this draw.
        var neediest = candidates.FirstOrDefault(c => !c.IsGold) ?? candidates[0];
        var project = projects[neediest.ProjectId];
        var pool = candidates.Where(c => c.ProjectId == project.Id)
            .Select(c => new AssignmentCandidate(c.Id, c.ProjectId, c.Votes, c.Leases, c.RequiredVotes, c.IsGold)).ToList();
        var pick = AssignmentPolicy.PickNext(pool, project.GoldRate, Random.Shared);
        if (pick is null) { await tx.CommitAsync(ct); return null; }

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
        db.Assignments.Add(assignment);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await TaskForAsync(db, assignment, ct);
    }

    /// <summary>
    /// Stores the rater's vote on their own assignment. <paramref name="screenChoice"/> is -2 (left much better) ..
    /// 2 (right much better). A second submit of the same assignment stores nothing and returns the first vote.
    /// </summary>
    public async Task<RatingResult> SubmitAsync(string raterId, long assignmentId, int screenChoice, bool bothBad, string? rationale, CancellationToken ct = default)
    {
        if (!VoteStrength.IsValid(screenChoice)) return new RatingResult(RatingOutcome.Invalid, "Choose one of the five options.");
        rationale = (rationale ?? "").Trim();
        if (rationale.Length > MaxRationaleLength) return new RatingResult(RatingOutcome.Invalid, $"The rationale is longer than {MaxRationaleLength} characters.");

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var assignment = await db.Assignments.SingleOrDefaultAsync(a => a.Id == assignmentId && a.RaterId == raterId, ct);
        if (assignment is null) return new RatingResult(RatingOutcome.NotFound, "There is no such assignment of yours.");

        if (assignment.Status == AssignmentStatus.Submitted)
        {
            var existing = await db.Votes.AsNoTracking().SingleAsync(v => v.AssignmentId == assignmentId, ct);
            return new RatingResult(RatingOutcome.AlreadyStored, null, existing.Id);
        }
        if (assignment.Status == AssignmentStatus.Skipped) return new RatingResult(RatingOutcome.Invalid, "You skipped this comparison.");

        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == assignment.ProjectId, ct);
        if (project.RationaleRequired && rationale.Length == 0) return new RatingResult(RatingOutcome.Invalid, "This project asks for a rationale.");

        var comparison = await db.Comparisons.SingleAsync(c => c.Id == assignment.ComparisonId, ct);
        if (assignment.Status == AssignmentStatus.Expired || assignment.LeaseExpiresAtUtc <= now)
        {
            // A late vote is kept when the comparison still needs it: no work is lost, k is never exceeded.
            var isGold = await db.GoldAnswers.AnyAsync(g => g.ComparisonId == comparison.Id, ct);
            var votes = await db.Votes.CountAsync(v => v.ComparisonId == comparison.Id && v.VoidedAtUtc == null, ct);
            var others = await db.Assignments.CountAsync(a => a.ComparisonId == comparison.Id && a.Id != assignment.Id
                && a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now, ct);
            if (!isGold && votes + others >= comparison.RequiredVotes)
            {
                assignment.Status = AssignmentStatus.Expired;
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return new RatingResult(RatingOutcome.Invalid, "Your time on this comparison ran out and others have rated it; here is the next one.");
            }
        }

        var vote = new Vote
        {
            AssignmentId = assignment.Id,
            ComparisonId = assignment.ComparisonId,
            ProjectId = assignment.ProjectId,
            RaterId = raterId,
            Strength = VoteStrength.FromScreen(screenChoice, assignment.AShownLeft),
            BothBad = bothBad,
            Rationale = rationale,
            AShownLeft = assignment.AShownLeft,
            SecondsOnTask = Math.Max(0, (now - assignment.StartedAtUtc).TotalSeconds),
            SubmittedAtUtc = now,
        };
        db.Votes.Add(vote);
        assignment.Status = AssignmentStatus.Submitted;
        assignment.FinishedAtUtc = now;
        await db.SaveChangesAsync(ct);

        // Adaptive overlap: when the first k votes disagree, ask up to m more raters.
        var strengths = await db.Votes.AsNoTracking().Where(v => v.ComparisonId == comparison.Id && v.VoidedAtUtc == null)
            .OrderBy(v => v.SubmittedAtUtc).ThenBy(v => v.Id).Select(v => v.Strength).ToListAsync(ct);
        comparison.RequiredVotes = AdaptiveOverlap.RequiredVotes(project.Overlap, project.AdaptiveExtraRaters, project.AdaptiveThreshold, strengths);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RatingResult(RatingOutcome.Stored, null, vote.Id);
    }

    /// <summary>Skips the rater's own live assignment with a reason; they will not be given this comparison again.</summary>
    public async Task<RatingResult> SkipAsync(string raterId, long assignmentId, string? reason, CancellationToken ct = default)
    {
        reason = (reason ?? "").Trim();
        if (reason.Length == 0) return new RatingResult(RatingOutcome.Invalid, "Say why you skip (for example: 'I cannot judge code').");
        if (reason.Length > 500) return new RatingResult(RatingOutcome.Invalid, "The reason is longer than 500 characters.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var assignment = await db.Assignments.SingleOrDefaultAsync(a => a.Id == assignmentId && a.RaterId == raterId, ct);
        if (assignment is null) return new RatingResult(RatingOutcome.NotFound, "There is no such assignment of yours.");
        if (assignment.Status == AssignmentStatus.Skipped) return new RatingResult(RatingOutcome.AlreadyStored);
        if (assignment.Status == AssignmentStatus.Submitted) return new RatingResult(RatingOutcome.Invalid, "You already voted on this comparison.");
        assignment.Status = AssignmentStatus.Skipped;
        assignment.SkipReason = reason;
        assignment.FinishedAtUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return new RatingResult(RatingOutcome.Stored);
    }

    /// <summary>Active projects open to the rater's pools, under their daily quota and not paused for them.</summary>
    private static async Task<Dictionary<int, Project>> EligibleProjectsAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct)
    {
        var poolIds = db.PoolMembers.Where(m => m.UserId == raterId).Select(m => m.PoolId);
        var projects = await db.Projects.AsNoTracking()
            .Where(p => p.Status == ProjectStatus.Active && db.ProjectPools.Any(pp => pp.ProjectId == p.Id && poolIds.Contains(pp.PoolId)))
            .ToListAsync(ct);
        var today = now.Date;
        var eligible = new Dictionary<int, Project>();
        foreach (var p in projects)
        {
            if (p.DailyQuota is { } quota &&
                await db.Votes.CountAsync(v => v.ProjectId == p.Id && v.RaterId == raterId && v.SubmittedAtUtc >= today, ct) >= quota)
                continue;
            if (p.PauseFlaggedRaters && await IsFlaggedAsync(db, p, raterId, ct)) continue;
            eligible[p.Id] = p;
        }
        return eligible;
    }

    /// <summary>The rater's gold record in a project.</summary>
    public static async Task<RaterGoldStats> GoldStatsAsync(RlhfDbContext db, int projectId, string raterId, CancellationToken ct)
    {
        var answered = await db.Votes.AsNoTracking()
            .Where(v => v.ProjectId == projectId && v.RaterId == raterId && v.VoidedAtUtc == null)
            .Join(db.GoldAnswers, v => v.ComparisonId, g => g.ComparisonId, (v, g) => new { v.Strength, g.Side, g.MinimumStrength })
            .ToListAsync(ct);
        return new RaterGoldStats(answered.Count, answered.Count(a => GoldGrading.IsCorrect(a.Side, a.MinimumStrength, a.Strength)));
    }

    private static async Task<bool> IsFlaggedAsync(RlhfDbContext db, Project p, string raterId, CancellationToken ct) =>
        RaterQuality.IsFlagged(await GoldStatsAsync(db, p.Id, raterId, ct), p.GoldMinimumAccuracy, p.GoldMinimumAnswers);

    private async Task<RatingTask> TaskForAsync(RlhfDbContext db, Assignment a, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == a.ProjectId, ct);
        var comparison = await db.Comparisons.AsNoTracking().SingleAsync(c => c.Id == a.ComparisonId, ct);
        var prompt = await db.Prompts.AsNoTracking().SingleAsync(p => p.Id == comparison.PromptId, ct);
        var texts = await db.Responses.AsNoTracking()
            .Where(r => r.Id == comparison.ResponseAId || r.Id == comparison.ResponseBId)
            .ToDictionaryAsync(r => r.Id, r => r.Text, ct);
        var (left, right) = a.AShownLeft
            ? (texts[comparison.ResponseAId], texts[comparison.ResponseBId])
            : (texts[comparison.ResponseBId], texts[comparison.ResponseAId]);
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var doneToday = await db.Votes.CountAsync(v => v.ProjectId == project.Id && v.RaterId == a.RaterId && v.SubmittedAtUtc >= today, ct);
        var conversation = prompt.MessagesJson is null ? null
            : JsonSerializer.Deserialize<List<ConversationTurn>>(prompt.MessagesJson, Json);
        return new RatingTask(a.Id, project.Id, project.Name, project.Guidelines, project.RationaleRequired,
            prompt.Text, conversation, left, right, a.StartedAtUtc, a.LeaseExpiresAtUtc, doneToday, project.DailyQuota);
    }
}
