using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Demonstrations;
using Rlhf.Core.Projects;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Demonstrations;

/// <summary>
/// What researchers do with a demonstration project's replies: read them per prompt next to the reference (gold) reply,
/// review them (accept / needs work / reject, with a reason; audited), and write the reference. Reviewers may also be
/// other raters of the project's pools (never of their own demonstrations).
/// </summary>
public sealed class DemonstrationReviewService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    /// <summary>The project's prompts with their demonstrations and reference; null when the actor cannot see such a demonstration project.</summary>
    public async Task<IReadOnlyList<PromptDemonstrations>?> PromptsAsync(int projectId, AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var project = await db.Projects.VisibleTo(db, viewer).AsNoTracking().SingleOrDefaultAsync(p => p.Id == projectId && p.Kind == ProjectKind.Demonstrations, ct);
        if (project is null) return null;
        var prompts = await db.Prompts.AsNoTracking().Where(p => p.ProjectId == projectId).OrderBy(p => p.Id).Select(p => new { p.Id, p.Text }).ToListAsync(ct);
        var references = await db.ReferenceDemonstrations.AsNoTracking().Where(r => db.Prompts.Any(p => p.Id == r.PromptId && p.ProjectId == projectId))
            .ToDictionaryAsync(r => r.PromptId, r => r.Text, ct);
        var rows = await db.Demonstrations.AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Id)
            .Select(d => new { d, Email = db.Users.Where(u => u.Id == d.RaterId).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(ct);
        var byPrompt = rows.ToLookup(r => r.d.PromptId, r => new DemonstrationRow(r.d.Id, r.d.PromptId, r.Email ?? r.d.RaterId, r.d.Text, r.d.SubmittedAtUtc,
            r.d.Verdict, r.d.ReviewReason, DemonstrationRules.Counts(project.ReviewDemonstrations, r.d.Verdict)));
        return prompts.Select(p => new PromptDemonstrations(p.Id, p.Text, references.GetValueOrDefault(p.Id), byPrompt[p.Id].ToList())).ToList();
    }

    /// <summary>
    /// Records a review; returns why not (a sentence) or null. A reason is needed for "needs work" and "reject". The
    /// reviewer is a researcher who sees the project, or a rater of its pools reviewing someone else's demonstration.
    /// </summary>
    public async Task<string?> ReviewAsync(long demonstrationId, DemonstrationVerdict verdict, string? reason, AuditActor actor, CancellationToken ct = default)
    {
        reason = (reason ?? "").Trim();
        if (verdict == DemonstrationVerdict.Pending || !Enum.IsDefined(verdict)) return "Choose accept, needs work or reject.";
        if (verdict != DemonstrationVerdict.Accepted && reason.Length == 0) return "Say why: a reason is needed for 'needs work' and 'reject'.";
        if (reason.Length > DemonstrationRules.MaxReasonLength) return $"The reason is longer than {DemonstrationRules.MaxReasonLength:N0} characters.";
        await using var db = await contexts.CreateDbContextAsync(ct);
        var demonstration = await db.Demonstrations.SingleOrDefaultAsync(d => d.Id == demonstrationId, ct);
        if (demonstration is null || !await MayReviewAsync(db, demonstration.ProjectId, actor, ct)) return $"There is no demonstration {demonstrationId}.";
        if (demonstration.RaterId == actor.UserId) return "You cannot review your own demonstration.";
        demonstration.Verdict = verdict;
        demonstration.ReviewReason = reason.Length == 0 ? null : reason;
        demonstration.ReviewedById = actor.UserId;
        demonstration.ReviewedAtUtc = clock.GetUtcNow().UtcDateTime;
        var projectName = await db.Projects.Where(p => p.Id == demonstration.ProjectId).Select(p => p.Name).SingleAsync(ct);
        AuditLog.Add(db, actor, "demonstration.reviewed", projectName, $"demonstration {demonstrationId}: {verdict}{(reason.Length == 0 ? "" : $" ({reason})")}");
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>Writes (or with an empty text removes) the reference reply of a prompt; returns why not, or null. Audited.</summary>
    public async Task<string?> SetReferenceAsync(long promptId, string? text, AuditActor? actor, CancellationToken ct = default)
    {
        text = (text ?? "").Trim();
        if (text.Length > DemonstrationRules.MaxReplyLength) return $"The reference is longer than {DemonstrationRules.MaxReplyLength:N0} characters.";
        await using var db = await contexts.CreateDbContextAsync(ct);
        var project = await db.Projects.VisibleTo(db, actor).AsNoTracking()
            .SingleOrDefaultAsync(p => p.Kind == ProjectKind.Demonstrations && db.Prompts.Any(q => q.Id == promptId && q.ProjectId == p.Id), ct);
        if (project is null) return $"There is no prompt {promptId} in a demonstration project of yours.";
        var reference = await db.ReferenceDemonstrations.SingleOrDefaultAsync(r => r.PromptId == promptId, ct);
        if (text.Length == 0)
        {
            if (reference is not null) db.ReferenceDemonstrations.Remove(reference);
        }
        else
        {
            if (reference is null) db.ReferenceDemonstrations.Add(reference = new ReferenceDemonstration { PromptId = promptId });
            reference.Text = text;
            reference.WrittenById = actor?.UserId;
            reference.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;
        }
        AuditLog.Add(db, actor, text.Length == 0 ? "demonstration.reference-removed" : "demonstration.reference-set", project.Name, $"prompt {promptId}");
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>A pending demonstration of a reviewing project of the rater's pools, not their own; null when none.</summary>
    public async Task<DemonstrationRow?> NextToReviewAsync(string raterId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var poolIds = db.PoolMembers.Where(m => m.UserId == raterId).Select(m => m.PoolId);
        var d = await db.Demonstrations.AsNoTracking()
            .Where(d => d.Verdict == DemonstrationVerdict.Pending && d.RaterId != raterId)
            .Where(d => db.Projects.Any(p => p.Id == d.ProjectId && p.ReviewDemonstrations && p.Status == ProjectStatus.Active
                && db.ProjectPools.Any(pp => pp.ProjectId == p.Id && poolIds.Contains(pp.PoolId))))
            .OrderBy(d => d.Id).FirstOrDefaultAsync(ct);
        return d is null ? null : new DemonstrationRow(d.Id, d.PromptId, "", d.Text, d.SubmittedAtUtc, d.Verdict, null, false);
    }

    /// <summary>Researchers who see the project, or raters of its pools.</summary>
    private static async Task<bool> MayReviewAsync(RlhfDbContext db, int projectId, AuditActor actor, CancellationToken ct) =>
        await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId, ct)
        || await db.ProjectPools.AnyAsync(pp => pp.ProjectId == projectId && db.PoolMembers.Any(m => m.PoolId == pp.PoolId && m.UserId == actor.UserId), ct);
}
