using System.Net.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Identity;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Identity;

namespace Rlhf.Data.Users;

/// <summary>Admin work on accounts: create users, change roles, lock and unlock. Every change is audited.</summary>
public sealed class UserDirectory(UserManager<ApplicationUser> users, RlhfDbContext db, AuditLog audit, Tokens.ApiPrincipalCache apiPrincipals)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default) => await SummariesAsync(null, ct);

    /// <summary>One user as the list shows them, or null when there is no such user.</summary>
    public async Task<UserSummary?> GetAsync(string userId, CancellationToken ct = default) =>
        (await SummariesAsync(userId ?? "", ct)).SingleOrDefault();

    private async Task<List<UserSummary>> SummariesAsync(string? userId, CancellationToken ct)
    {
        var accounts = db.Users.AsNoTracking();
        var links = db.UserRoles.AsNoTracking();
        if (userId is not null)
        {
            accounts = accounts.Where(u => u.Id == userId);
            links = links.Where(ur => ur.UserId == userId);
        }
        var all = await accounts.OrderBy(u => u.Email).ToListAsync(ct);
        var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name!, ct);
        var userRoles = await links.ToListAsync(ct);
        var now = DateTimeOffset.UtcNow;
        return all.Select(u => new UserSummary(
            u.Id, u.Email ?? u.UserName ?? "", u.DisplayName,
            userRoles.Where(ur => ur.UserId == u.Id).Select(ur => roleNames[ur.RoleId]).OrderBy(r => r).ToList(),
            u.LockoutEnd is { } end && end > now,
            u.CreatedAtUtc)).ToList();
    }

    /// <summary>Creates a user with the given roles. Without a password one is generated and returned once.</summary>
    public async Task<UserCommandResult> CreateAsync(
        string email, IEnumerable<string> roles, string? password, AuditActor? actor, CancellationToken ct = default)
    {
        email = (email ?? "").Trim();
        if (!IsEmail(email)) return UserCommandResult.Fail($"'{email}' is not an e-mail address.");
        var wanted = new List<string>();
        foreach (var r in roles)
        {
            var role = Roles.Normalize(r);
            if (role is null) return UserCommandResult.Fail($"'{r}' is not a role; use one of {string.Join(", ", Roles.All)}.");
            if (!wanted.Contains(role)) wanted.Add(role);
        }
        if (wanted.Count == 0) return UserCommandResult.Fail("Give the user at least one role.");
        if (await users.FindByEmailAsync(email) is not null) return UserCommandResult.Fail($"A user with e-mail {email} already exists.");

        var generated = string.IsNullOrEmpty(password) ? DatabaseInitializer.GeneratePassword() : null;
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAtUtc = DateTime.UtcNow };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await users.CreateAsync(user, password is { Length: > 0 } ? password : generated!);
        if (!created.Succeeded) return UserCommandResult.Fail(string.Join(" ", created.Errors.Select(e => e.Description)));
        var added = await users.AddToRolesAsync(user, wanted);
        if (!added.Succeeded) return UserCommandResult.Fail(string.Join(" ", added.Errors.Select(e => e.Description)));
        await audit.RecordAsync(actor, "user.created", email, $"roles: {string.Join(", ", wanted)}", ct);
        await tx.CommitAsync(ct);
        return new UserCommandResult(true, null, user.Id, generated);
    }

    public async Task<UserCommandResult> SetRolesAsync(string userId, IEnumerable<string> roles, AuditActor? actor, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserCommandResult.Fail("No such user.");
        var wanted = new List<string>();
        foreach (var r in roles)
        {
            var role = Roles.Normalize(r);
            if (role is null) return UserCommandResult.Fail($"'{r}' is not a role.");
            if (!wanted.Contains(role)) wanted.Add(role);
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin) && await IsLastAdminAsync(user))
            return UserCommandResult.Fail("This is the last admin; make someone else an admin first.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = await users.RemoveFromRolesAsync(user, current.Except(wanted));
        if (!removed.Succeeded) return UserCommandResult.Fail(string.Join(" ", removed.Errors.Select(e => e.Description)));
        var added = await users.AddToRolesAsync(user, wanted.Except(current));
        if (!added.Succeeded) return UserCommandResult.Fail(string.Join(" ", added.Errors.Select(e => e.Description)));
        await users.UpdateSecurityStampAsync(user); // live cookie sessions and circuits pick up the new roles within seconds
        await audit.RecordAsync(actor, "user.roles-changed", user.Email ?? userId,
            $"from [{string.Join(", ", current.Order())}] to [{string.Join(", ", wanted.Order())}]", ct);
        await tx.CommitAsync(ct);
        apiPrincipals.ForgetUser(user.Id);
        return new UserCommandResult(true, null, user.Id);
    }

    /// <summary>Locks (indefinitely, until unlocked) or unlocks an account. Admins cannot lock themselves or the last admin.</summary>
    public async Task<UserCommandResult> SetLockedAsync(string userId, bool locked, AuditActor? actor, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserCommandResult.Fail("No such user.");
        if (locked && actor?.UserId == userId) return UserCommandResult.Fail("You cannot lock your own account.");
        if (locked && await users.IsInRoleAsync(user, Roles.Admin) && await IsLastAdminAsync(user))
            return UserCommandResult.Fail("This is the last admin; it cannot be locked.");

        await users.SetLockoutEnabledAsync(user, true);
        var result = await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (!result.Succeeded) return UserCommandResult.Fail(string.Join(" ", result.Errors.Select(e => e.Description)));
        if (!locked) await users.ResetAccessFailedCountAsync(user);
        else
        {
            // A deactivated rater's leases go back to the queue at once.
            await db.Assignments.Where(a => a.RaterId == userId && a.Status == Rlhf.Core.Projects.AssignmentStatus.Leased)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, Rlhf.Core.Projects.AssignmentStatus.Expired), ct);
            await users.UpdateSecurityStampAsync(user); // signs them out everywhere at the next validation
        }
        await audit.RecordAsync(actor, locked ? "user.locked" : "user.unlocked", user.Email ?? userId, "", ct);
        apiPrincipals.ForgetUser(user.Id);
        return new UserCommandResult(true, null, user.Id);
    }

    private async Task<bool> IsLastAdminAsync(ApplicationUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        var now = DateTimeOffset.UtcNow;
        return admins.Count(a => a.Id != user.Id && !(a.LockoutEnd is { } e && e > now)) == 0;
    }

    private static bool IsEmail(string s)
    {
        if (s.Length is 0 or > 256 || s.Contains(' ')) return false;
        return MailAddress.TryCreate(s, out var a) && a.Address == s && s.Contains('@') && !s.EndsWith('@');
    }
}
