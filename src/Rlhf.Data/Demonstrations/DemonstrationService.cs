using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Demonstrations;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Queries;
using Rlhf.Data.Rating;

namespace Rlhf.Data.Demonstrations;

/// <summary>
/// Hands out demonstration tasks (a prompt of a demonstration project, leased to one rater as an <see cref="Assignment"/>
/// without a comparison) and takes the replies. The rules are the rating service's: the projects a rater may work on
/// (<see cref="RatingService.EligibleProjectsAsync"/>: pools, active, daily quota, flagged raters), the pick
/// (<see cref="AssignmentPolicy.PickNext"/>: the least covered prompt first, never past overlap k, leases counted as
/// replies to come), the leases (<see cref="AssignmentQueries.LiveLeases"/>), and one serial write transaction per
/// hand-out and submit. A skip goes through <see cref="RatingService.SkipAsync"/>, which works on any assignment.
/// </summary>
public sealed class DemonstrationService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, WriteGate writes)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>Prompts read per hand-out, neediest first.</summary>
    private const int CandidateBatch = 500;

    /// <summary>The rater's live demonstration task, or a new one; null when there is nothing for them to write.</summary>
    public async Task<DemonstrationTask?> NextAsync(string raterId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await RatingService.IsLockedAsync(db, raterId, clock, ct)) return null;
        Assignment? assignment;
        using (await writes.EnterAsync(ct))
        {
            await using var tx = await db.Database.BeginSerialWriteAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            assignment = await LiveTaskAsync(db, raterId, now, ct) ?? await LeaseAsync(db, raterId, now, ct);
            await tx.CommitAsync(ct);
        }
        return assignment is null ? null : await TaskForAsync(db, assignment, ct);
    }

    /// <summary>The rater's open demonstration lease in an active project.</summary>
    private static Task<Assignment?> LiveTaskAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct) =>
        db.Assignments.AsNoTracking().LiveLeases(now)
            .Where(a => a.RaterId == raterId && a.PromptId != null && db.Projects.Any(p => p.Id == a.ProjectId && p.Status == ProjectStatus.Active))
            .OrderBy(a => a.Id).FirstOrDefaultAsync(ct);

    /// <summary>Draws a prompt the rater was never given from their demonstration projects and leases it (saved, not committed).</summary>
    private static async Task<Assignment?> LeaseAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct)
    {
        var projects = (await RatingService.EligibleProjectsAsync(db, raterId, now, ct))
            .Where(p => p.Value.Kind == ProjectKind.Demonstrations).ToDictionary();
        if (projects.Count == 0) return null;
        var projectIds = projects.Keys.ToList();
        var candidates = (await db.Prompts.AsNoTracking()
            .Where(p => projectIds.Contains(p.ProjectId))
            .Where(p => !db.Assignments.Any(a => a.PromptId == p.Id && a.RaterId == raterId))
            .Select(p => new
            {
                p.Id,
                p.ProjectId,
                Written = db.Demonstrations.Count(d => d.PromptId == p.Id && d.Verdict != DemonstrationVerdict.Rejected),
                Leases = db.Assignments.LiveLeases(now).Count(a => a.PromptId == p.Id),
            })
            .OrderBy(p => p.Written + p.Leases).ThenBy(p => p.Id)
            .Take(CandidateBatch)
            .ToListAsync(ct))
            // The overlap rule is the comparisons' (AssignmentPolicy): a prompt wants k replies as a comparison wants k votes.
            .Select(p => new AssignmentCandidate(p.Id, p.ProjectId, p.Written, p.Leases, projects[p.ProjectId].Overlap, IsGold: false))
            .ToList();
        var pick = AssignmentPolicy.PickNext(candidates, goldRate: 0, Random.Shared);
        if (pick is null) return null;
        var project = projects[pick.ProjectId];
        var assignment = new Assignment
        {
            ProjectId = project.Id, PromptId = pick.ComparisonId, RaterId = raterId, Status = AssignmentStatus.Leased,
            StartedAtUtc = now, LeaseExpiresAtUtc = now.AddMinutes(project.LeaseMinutes),
        };
        db.Assignments.Add(assignment);
        await db.SaveChangesAsync(ct);
        return assignment;
    }

    /// <summary>
    /// Stores the rater's reply on their own demonstration assignment. An empty or whitespace-only reply is refused
    /// (<see cref="RatingOutcome.Invalid"/>, nothing stored); a second submit of the same assignment stores nothing and
    /// returns the first demonstration.
    /// </summary>
    public async Task<RatingResult> SubmitAsync(string raterId, long assignmentId, string? reply, CancellationToken ct = default)
    {
        if (DemonstrationRules.ReplyProblem(reply) is { } problem) return new RatingResult(RatingOutcome.Invalid, problem);
        var text = reply!.Trim();

        await using var db = await contexts.CreateDbContextAsync(ct);
        using var turn = await writes.EnterAsync(ct);
        await using var tx = await db.Database.BeginSerialWriteAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var assignment = await db.Assignments.SingleOrDefaultAsync(a => a.Id == assignmentId && a.RaterId == raterId && a.PromptId != null, ct);
        if (assignment is null) return new RatingResult(RatingOutcome.NotFound, "There is no such task of yours.");
        if (assignment.Status == AssignmentStatus.Submitted)
        {
            var existing = await db.Demonstrations.AsNoTracking().SingleAsync(d => d.AssignmentId == assignmentId, ct);
            return new RatingResult(RatingOutcome.AlreadyStored, null, existing.Id);
        }
        if (assignment.Status == AssignmentStatus.Skipped) return new RatingResult(RatingOutcome.Closed, "You skipped this prompt.");
        if (await RatingService.IsLockedAsync(db, raterId, clock, ct)) return new RatingResult(RatingOutcome.Locked, "Your account is locked; your reply was not stored.");
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == assignment.ProjectId, ct);
        if (project.Status != ProjectStatus.Active)
            return new RatingResult(RatingOutcome.ProjectNotActive, $"The project is {project.Status.ToString().ToLowerInvariant()}; your reply was not stored.");

        var promptId = assignment.PromptId!.Value;
        if (!assignment.IsOpen(now))
        {
            // A late reply is kept when the prompt still needs it: no work is lost, k is never exceeded.
            var written = await db.Demonstrations.CountAsync(d => d.PromptId == promptId && d.Verdict != DemonstrationVerdict.Rejected, ct);
            var others = await db.Assignments.LiveLeases(now).CountAsync(a => a.PromptId == promptId && a.Id != assignment.Id, ct);
            if (written + others >= project.Overlap)
            {
                assignment.Status = AssignmentStatus.Expired;
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return new RatingResult(RatingOutcome.LeaseExpired, "Your time on this prompt ran out and others have answered it; here is the next one.");
            }
        }

        var demonstration = new Demonstration
        {
            ProjectId = project.Id, PromptId = promptId, AssignmentId = assignment.Id, RaterId = raterId, Text = text,
            SubmittedAtUtc = now, SecondsOnTask = Math.Max(0, (now - assignment.StartedAtUtc).TotalSeconds),
        };
        db.Demonstrations.Add(demonstration);
        assignment.Status = AssignmentStatus.Submitted;
        assignment.FinishedAtUtc = now;
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, new AuditActor(raterId, raterId), "demonstration.submitted", project.Name, $"demonstration {demonstration.Id} on prompt {promptId}, {text.Length} characters");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RatingResult(RatingOutcome.Stored, null, demonstration.Id);
    }

    /// <summary>What the rater sees for a demonstration assignment.</summary>
    private async Task<DemonstrationTask> TaskForAsync(RlhfDbContext db, Assignment a, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == a.ProjectId, ct);
        var prompt = await db.Prompts.AsNoTracking().SingleAsync(p => p.Id == a.PromptId, ct);
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var done = await db.Demonstrations.CountAsync(d => d.RaterId == a.RaterId && d.ProjectId == a.ProjectId && d.SubmittedAtUtc >= today, ct);
        var conversation = prompt.MessagesJson is null ? null : JsonSerializer.Deserialize<List<ConversationTurn>>(prompt.MessagesJson, Json);
        var title = string.IsNullOrWhiteSpace(project.RaterTitle) ? DefaultTitle : project.RaterTitle.Trim();
        return new DemonstrationTask(a.Id, project.Id, title, project.RaterDescription, project.Guidelines, prompt.Text, conversation,
            a.StartedAtUtc, a.LeaseExpiresAtUtc, done, project.DailyQuota);
    }

    /// <summary>The writing page's title of a project without a title for raters.</summary>
    public const string DefaultTitle = "Write the reply you would want";
}
