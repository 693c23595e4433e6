using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Projects;

/// <summary>
/// Researchers' work on projects: settings, pools, gold answers; admins void votes. All audited. A researcher sees
/// and changes only the projects they are a member of (<see cref="ProjectQueries.VisibleTo(IQueryable{Project}, RlhfDbContext, AuditActor?)"/>);
/// to anyone else such a project does not exist.
/// </summary>
public sealed class ProjectService(IDbContextFactory<RlhfDbContext> contexts, AuditLog audit, TimeProvider clock)
{
    /// <summary>The projects <paramref name="viewer"/> may see, with their progress.</summary>
    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Projects.AsNoTracking().VisibleTo(db, viewer).OrderBy(p => p.Id).Select(p => new ProjectSummary(
            p.Id, p.Name, p.Status, p.Overlap,
            db.Prompts.Count(x => x.ProjectId == p.Id),
            db.Comparisons.Count(c => c.ProjectId == p.Id),
            db.Comparisons.Count(c => c.ProjectId == p.Id && db.Votes.Counted().Count(v => v.ComparisonId == c.Id) >= c.RequiredVotes),
            db.Votes.Counted().Count(v => v.ProjectId == p.Id))
        {
            Kind = p.Kind, Demonstrations = db.Demonstrations.Counted(db).Count(d => d.ProjectId == p.Id),
        }).ToListAsync(ct);
    }

    /// <summary>A project and its pools, or null when there is none that <paramref name="viewer"/> may see.</summary>
    public async Task<(Project Project, IReadOnlyList<int> PoolIds)?> GetAsync(int id, AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().VisibleTo(db, viewer).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (project is null) return null;
        var pools = await db.ProjectPools.Where(pp => pp.ProjectId == id).Select(pp => pp.PoolId).ToListAsync(ct);
        return (project, pools);
    }

    /// <summary>
    /// Creates (id null; the actor becomes its owner) or updates a project the actor may see. Returns its id, or the
    /// errors; <see cref="KeyNotFoundException"/> when there is no such project for the actor.
    /// </summary>
    public async Task<(int? Id, IReadOnlyList<string> Errors)> SaveAsync(int? id, ProjectEdit edit, AuditActor? actor, CancellationToken ct = default)
    {
        var errors = edit.Validate();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var name = edit.Name.Trim();
        if (await db.Projects.AnyAsync(p => p.Name == name && p.Id != (id ?? 0), ct)) errors.Add($"Name: a project named '{name}' already exists.");
        var knownPools = await db.Pools.Where(p => edit.PoolIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
        if (knownPools.Count != edit.PoolIds.Distinct().Count()) errors.Add("Pools: one of the chosen pools does not exist.");
        if (errors.Count > 0) return (null, errors);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Project project;
        if (id is null)
        {
            project = new Project { CreatedAtUtc = clock.GetUtcNow().UtcDateTime, CreatedById = actor?.UserId, Kind = edit.Kind };
            db.Projects.Add(project);
        }
        else
        {
            project = await db.Projects.VisibleTo(db, actor).SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new KeyNotFoundException($"No project {id}.");
        }
        var overlapChanged = id is not null && project.Overlap != edit.Overlap;
        edit.ApplyTo(project);
        await db.SaveChangesAsync(ct);
        if (id is null) await ProjectMemberService.AddOwnerAsync(db, project.Id, actor?.UserId, project.CreatedAtUtc, ct);

        db.ProjectPools.RemoveRange(db.ProjectPools.Where(pp => pp.ProjectId == project.Id));
        foreach (var poolId in edit.PoolIds.Distinct()) db.ProjectPools.Add(new ProjectPool { ProjectId = project.Id, PoolId = poolId });
        await db.SaveChangesAsync(ct);
        if (overlapChanged)
        {
            // Comparisons not raised by adaptive overlap follow the new k.
            var k = project.Overlap;
            await db.Comparisons.Where(c => c.ProjectId == project.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.RequiredVotes, k), ct);
        }
        AuditLog.Add(db, actor, id is null ? "project.created" : "project.updated", project.Name,
            $"{project.Kind}, status {project.Status}, k {project.Overlap}, gold {project.GoldRate:P0}, pools [{string.Join(",", edit.PoolIds)}]");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (project.Id, []);
    }

    public async Task<IReadOnlyList<ComparisonRow>> ComparisonsAsync(int projectId, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Comparisons.AsNoTracking().Where(c => c.ProjectId == projectId).OrderBy(c => c.Id).Skip(skip).Take(take)
            .Select(c => new
            {
                c.Id,
                c.RequiredVotes,
                Prompt = db.Prompts.Where(p => p.Id == c.PromptId).Select(p => p.Text).Single(),
                A = db.Responses.Where(r => r.Id == c.ResponseAId).Select(r => new { r.Text, r.Source }).Single(),
                B = db.Responses.Where(r => r.Id == c.ResponseBId).Select(r => new { r.Text, r.Source }).Single(),
                Strengths = db.Votes.Counted().Where(v => v.ComparisonId == c.Id).Select(v => v.Strength).ToList(),
                Gold = db.GoldAnswers.Where(g => g.ComparisonId == c.Id).Select(g => new { g.Side, g.MinimumStrength }).SingleOrDefault(),
            }).ToListAsync(ct);
        return rows.Select(r => new ComparisonRow(r.Id, r.Prompt, r.A.Text, r.A.Source, r.B.Text, r.B.Source, r.Strengths.Count, r.RequiredVotes,
            r.Strengths.Count == 0 ? null : r.Strengths.Average(), r.Gold?.Side, r.Gold?.MinimumStrength)).ToList();
    }

    public async Task<int> CountComparisonsAsync(int projectId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Comparisons.CountAsync(c => c.ProjectId == projectId, ct);
    }

    /// <summary>Marks a comparison's known answer, or removes it (side null).</summary>
    public async Task<string?> SetGoldAsync(long comparisonId, GoldSide? side, int minimumStrength, AuditActor? actor, CancellationToken ct = default)
    {
        if (minimumStrength is < 1 or > 2) return "The minimum strength is 1 (better) or 2 (much better).";
        await using var db = await contexts.CreateDbContextAsync(ct);
        var visible = db.Projects.VisibleTo(db, actor);
        if (!await db.Comparisons.AnyAsync(c => c.Id == comparisonId && visible.Any(p => p.Id == c.ProjectId), ct)) return $"There is no comparison {comparisonId}.";
        var gold = await db.GoldAnswers.SingleOrDefaultAsync(g => g.ComparisonId == comparisonId, ct);
        if (side is null)
        {
            if (gold is not null) db.GoldAnswers.Remove(gold);
        }
        else
        {
            if (gold is null) db.GoldAnswers.Add(gold = new GoldAnswer { ComparisonId = comparisonId, CreatedAtUtc = clock.GetUtcNow().UtcDateTime, CreatedById = actor?.UserId });
            gold.Side = side.Value;
            gold.MinimumStrength = minimumStrength;
        }
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, side is null ? "gold.removed" : "gold.set", $"comparison {comparisonId}",
            side is null ? "" : $"{side} by at least {minimumStrength}", ct);
        return null;
    }

    /// <summary>The project's votes, newest first, with the rater's e-mail (for admins).</summary>
    public async Task<(IReadOnlyList<VoteRow> Rows, int Total)> VotesAsync(int projectId, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Votes.AsNoTracking().Where(v => v.ProjectId == projectId);
        var rows = await query.OrderByDescending(v => v.Id).Skip(skip).Take(take)
            .Select(v => new VoteRow(v.Id, v.ComparisonId, db.Users.Where(u => u.Id == v.RaterId).Select(u => u.Email).Single() ?? v.RaterId,
                v.Strength, v.BothBad, v.Rationale, v.SecondsOnTask, v.SubmittedAtUtc, v.VoidedAtUtc, v.VoidReason))
            .ToListAsync(ct);
        return (rows, await query.CountAsync(ct));
    }

    /// <summary>Voids a vote (admins): it stays stored, is left out of every statistic and export, and is logged.</summary>
    public async Task<string?> VoidVoteAsync(long voteId, string reason, AuditActor actor, CancellationToken ct = default)
    {
        reason = (reason ?? "").Trim();
        if (reason.Length == 0) return "Give a reason for voiding the vote.";
        await using var db = await contexts.CreateDbContextAsync(ct);
        var vote = await db.Votes.SingleOrDefaultAsync(v => v.Id == voteId, ct);
        if (vote is null) return $"There is no vote {voteId}.";
        if (vote.VoidedAtUtc is not null) return $"Vote {voteId} is already void.";
        vote.VoidedAtUtc = clock.GetUtcNow().UtcDateTime;
        vote.VoidedById = actor.UserId;
        vote.VoidReason = reason;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "vote.voided", $"vote {voteId}", reason, ct);
        return null;
    }
}
