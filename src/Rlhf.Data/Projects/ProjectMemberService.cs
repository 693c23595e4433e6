using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Identity;
using Rlhf.Core.Projects;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Projects;

/// <summary>
/// Who works on a project: its owner (the creator) and the researchers the owner or an admin added. Members see and
/// change the project; only the owner and admins add and remove members. Every change is audited.
/// </summary>
public sealed class ProjectMemberService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    /// <summary>The project's members, owner first; null when the actor may not see the project.</summary>
    public async Task<IReadOnlyList<ProjectMemberRow>?> ListAsync(int projectId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId, ct)) return null;
        var rows = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, Email = u.Email ?? u.UserName ?? m.UserId, m.IsOwner, m.AddedAtUtc })
            .OrderByDescending(m => m.IsOwner).ThenBy(m => m.Email).ToListAsync(ct);
        return rows.Select(m => new ProjectMemberRow(m.UserId, m.Email, m.IsOwner, m.AddedAtUtc)).ToList();
    }

    /// <summary>Whether the actor may add and remove the project's members: an admin, the platform, or the owner.</summary>
    public async Task<bool> CanManageAsync(int projectId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await CanManageAsync(db, projectId, actor, ct);
    }

    /// <summary>
    /// Makes <paramref name="userId"/> the owner of a new project (added to <paramref name="db"/>, saved by the caller);
    /// nothing when there is no such account (the platform itself created it: admins only see it).
    /// </summary>
    public static async Task AddOwnerAsync(RlhfDbContext db, int projectId, string? userId, DateTime now, CancellationToken ct)
    {
        if (userId is null || !await db.Users.AnyAsync(u => u.Id == userId, ct)) return;
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = userId, IsOwner = true, AddedAtUtc = now, AddedById = userId });
    }

    /// <summary>Adds a researcher (by e-mail) to the project.</summary>
    public async Task<MembershipResult> AddAsync(int projectId, string email, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await RefusedAsync(db, projectId, actor, ct) is { } refused) return refused;
        var normalized = (email ?? "").Trim().ToUpperInvariant();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
        var researcherRole = await db.Roles.Where(r => r.Name == Roles.Researcher).Select(r => r.Id).SingleOrDefaultAsync(ct);
        if (user is null || !await db.UserRoles.AnyAsync(ur => ur.UserId == user.Id && ur.RoleId == researcherRole, ct))
            return new MembershipResult(MembershipOutcome.Invalid, $"There is no researcher with e-mail '{email?.Trim()}'.");
        if (await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == user.Id, ct)) return MembershipResult.Done;

        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = user.Id, AddedAtUtc = clock.GetUtcNow().UtcDateTime, AddedById = actor?.UserId });
        AuditLog.Add(db, actor, "project.member-added", await NameAsync(db, projectId, ct), user.Email ?? user.Id);
        await db.SaveChangesAsync(ct);
        return MembershipResult.Done;
    }

    /// <summary>Removes a member (not the owner) from the project.</summary>
    public async Task<MembershipResult> RemoveAsync(int projectId, string userId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await RefusedAsync(db, projectId, actor, ct) is { } refused) return refused;
        var member = await db.ProjectMembers.SingleOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == userId, ct);
        if (member is null) return new MembershipResult(MembershipOutcome.NotFound, "That user is not a member of this project.");
        if (member.IsOwner) return new MembershipResult(MembershipOutcome.Invalid, "The owner cannot be removed from their project.");

        db.ProjectMembers.Remove(member);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct);
        AuditLog.Add(db, actor, "project.member-removed", await NameAsync(db, projectId, ct), email ?? userId);
        await db.SaveChangesAsync(ct);
        return MembershipResult.Done;
    }

    /// <summary>Why the actor may not change the project's members (no such project for them, or not its owner), or null.</summary>
    private static async Task<MembershipResult?> RefusedAsync(RlhfDbContext db, int projectId, AuditActor? actor, CancellationToken ct)
    {
        if (!await db.Projects.VisibleTo(db, actor).AnyAsync(p => p.Id == projectId, ct))
            return new MembershipResult(MembershipOutcome.NotFound, $"There is no project {projectId}.");
        return await CanManageAsync(db, projectId, actor, ct) ? null
            : new MembershipResult(MembershipOutcome.Forbidden, "Only the project's owner or an admin adds and removes members.");
    }

    private static async Task<bool> CanManageAsync(RlhfDbContext db, int projectId, AuditActor? actor, CancellationToken ct) =>
        actor is null || actor.SeesAllProjects
        || await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == actor.UserId && m.IsOwner, ct);

    private static Task<string> NameAsync(RlhfDbContext db, int projectId, CancellationToken ct) =>
        db.Projects.Where(p => p.Id == projectId).Select(p => p.Name).SingleAsync(ct);
}
