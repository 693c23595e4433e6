using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Identity;
using Rlhf.Core.Pools;
using Rlhf.Data.Audit;
using Rlhf.Data.Users;

namespace Rlhf.Data.Pools;

/// <summary>Admins' work on rater pools: pools, members, invitation links; and registering through a link.</summary>
public sealed class PoolService(IDbContextFactory<RlhfDbContext> contexts, UserDirectory directory, AuditLog audit, TimeProvider clock)
{
    /// <summary>A new invitation link's validity and uses unless the admin says otherwise (the Pools page and the API).</summary>
    public const int DefaultInvitationDays = 7, DefaultInvitationUses = 1;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<PoolSummary>> ListAsync(CancellationToken ct = default) => await SummariesAsync(null, ct);

    /// <summary>One pool with its members and invitations, or null when there is no such pool.</summary>
    public async Task<PoolSummary?> GetAsync(int poolId, CancellationToken ct = default) => (await SummariesAsync(poolId, ct)).SingleOrDefault();

    private async Task<List<PoolSummary>> SummariesAsync(int? poolId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pools = await db.Pools.AsNoTracking().Where(p => poolId == null || p.Id == poolId).OrderBy(p => p.Name).ToListAsync(ct);
        var members = await db.PoolMembers.AsNoTracking().Where(m => poolId == null || m.PoolId == poolId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.PoolId, u.Id, u.Email, u.LockoutEnd }).ToListAsync(ct);
        var invitations = await db.Invitations.AsNoTracking().Where(i => poolId == null || i.PoolId == poolId).OrderByDescending(i => i.Id).ToListAsync(ct);
        var now = Now;
        return pools.Select(p => new PoolSummary(p.Id, p.Name, p.Description,
            members.Where(m => m.PoolId == p.Id).OrderBy(m => m.Email)
                .Select(m => new PoolMemberRow(m.Id, m.Email ?? "", m.LockoutEnd is { } e && e > DateTimeOffset.UtcNow)).ToList(),
            invitations.Where(i => i.PoolId == p.Id)
                .Select(i => new InvitationRow(i.Id, i.ExpiresAtUtc, i.Uses, i.MaxUses, i.RevokedAtUtc is not null, i.IsUsable(now))).ToList()))
            .ToList();
    }

    public async Task<(int? Id, string? Error)> CreatePoolAsync(string name, string description, AuditActor? actor, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 200) return (null, "Name the pool (1 to 200 characters).");
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Pools.AnyAsync(p => p.Name == name, ct)) return (null, $"A pool named '{name}' already exists.");
        var pool = new Pool { Name = name, Description = (description ?? "").Trim(), CreatedAtUtc = Now };
        db.Pools.Add(pool);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "pool.created", name, "", ct);
        return (pool.Id, null);
    }

    public async Task<string?> AddMemberAsync(int poolId, string email, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pool = await db.Pools.SingleOrDefaultAsync(p => p.Id == poolId, ct);
        if (pool is null) return $"There is no pool {poolId}.";
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == (email ?? "").Trim().ToUpperInvariant(), ct);
        if (user is null) return $"There is no user with e-mail {email}.";
        if (await db.PoolMembers.AnyAsync(m => m.PoolId == poolId && m.UserId == user.Id, ct)) return $"{email} is already in {pool.Name}.";
        db.PoolMembers.Add(new PoolMember { PoolId = poolId, UserId = user.Id, AddedAtUtc = Now });
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "pool.member-added", pool.Name, user.Email ?? user.Id, ct);
        return null;
    }

    public async Task<string?> RemoveMemberAsync(int poolId, string userId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var member = await db.PoolMembers.SingleOrDefaultAsync(m => m.PoolId == poolId && m.UserId == userId, ct);
        if (member is null) return "That user is not in the pool.";
        // The audit names the pool and the user as the admin sees them (as "member-added" does), not by their ids.
        var pool = await db.Pools.Where(p => p.Id == poolId).Select(p => p.Name).SingleAsync(ct);
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct);
        db.PoolMembers.Remove(member);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "pool.member-removed", pool, email ?? userId, ct);
        return null;
    }

    /// <summary>Makes an invitation link token (returned once; only its hash is stored) and says the invitation's id.</summary>
    public async Task<(int? Id, string? Token, string? Error)> CreateInvitationAsync(int poolId, int validDays, int maxUses, AuditActor? actor, CancellationToken ct = default)
    {
        if (validDays is < 1 or > 365) return (null, null, "Valid for 1 to 365 days.");
        if (maxUses is < 1 or > 10_000) return (null, null, "Uses: 1 (single-use) to 10,000.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pool = await db.Pools.SingleOrDefaultAsync(p => p.Id == poolId, ct);
        if (pool is null) return (null, null, $"There is no pool {poolId}.");
        var token = InvitationToken.New();
        var invitation = new Invitation
        {
            PoolId = poolId, TokenHash = InvitationToken.Hash(token), ExpiresAtUtc = Now.AddDays(validDays), MaxUses = maxUses,
            CreatedAtUtc = Now, CreatedById = actor?.UserId,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "invitation.created", pool.Name, $"{maxUses} use(s), {validDays} day(s)", ct);
        return (invitation.Id, token, null);
    }

    public async Task<string?> RevokeInvitationAsync(int invitationId, AuditActor? actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId, ct);
        if (invitation is null) return "No such invitation.";
        invitation.RevokedAtUtc ??= Now;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "invitation.revoked", $"invitation {invitationId}", "", ct);
        return null;
    }

    /// <summary>The pool an invitation token opens, or why it cannot be used.</summary>
    public async Task<(string? PoolName, string? Error)> CheckInvitationAsync(string token, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var hash = InvitationToken.Hash(token);
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        if (invitation is null) return (null, "This invitation link is not valid.");
        if (!invitation.IsUsable(Now)) return (null, "This invitation link has expired, been used up or been revoked. Ask for a new one.");
        return (await db.Pools.Where(p => p.Id == invitation.PoolId).Select(p => p.Name).SingleAsync(ct), null);
    }

    /// <summary>
    /// Registers a new Rater through an invitation and puts them in its pool: the user, the pool membership and the
    /// use of the link are stored together or not at all.
    /// </summary>
    public async Task<UserCommandResult> RegisterAsync(string token, string email, string password, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var hash = InvitationToken.Hash(token);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        if (invitation is null || !invitation.IsUsable(Now))
            return UserCommandResult.Fail("This invitation link is not valid any more. Ask for a new one.");

        // Claim a use first (a conditional update), so a single-use link cannot register two people at once.
        var claimed = await db.Invitations.Where(i => i.Id == invitation.Id && i.Uses < i.MaxUses && i.RevokedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses + 1), ct);
        if (claimed == 0) return UserCommandResult.Fail("This invitation link has just been used up. Ask for a new one.");

        var created = await directory.CreateAsync(email, [Roles.Rater], password, new AuditActor(null, $"invitation {invitation.Id}"), ct);
        if (!created.Succeeded)
        {
            await db.Invitations.Where(i => i.Id == invitation.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses - 1), ct);
            return created;
        }
        db.PoolMembers.Add(new PoolMember { PoolId = invitation.PoolId, UserId = created.UserId!, AddedAtUtc = Now });
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(new AuditActor(created.UserId, email), "invitation.used", $"invitation {invitation.Id}", $"joined pool {invitation.PoolId}", ct);
        return created;
    }
}
