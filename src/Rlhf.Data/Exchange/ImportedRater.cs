using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Identity;

namespace Rlhf.Data.Exchange;

/// <summary>
/// The pseudo-rater whose votes are imported preference data (TRL chosen/rejected): an account that cannot sign in
/// (no password, locked out for good, no role) and is in no pool, so it is never given an assignment.
/// </summary>
public static class ImportedRater
{
    public const string Email = "imported@rlhf.invalid";
    public const string DisplayName = "Imported preferences";
    private static readonly string Normalized = Email.ToUpperInvariant();

    /// <summary>Its user id, or null when no import has created it yet.</summary>
    public static Task<string?> FindIdAsync(RlhfDbContext db, CancellationToken ct = default) =>
        db.Users.AsNoTracking().Where(u => u.NormalizedEmail == Normalized).Select(u => u.Id).FirstOrDefaultAsync(ct);

    /// <summary>Its user id, creating the account (saved through <paramref name="db"/>, so inside the caller's transaction) when missing.</summary>
    public static async Task<string> EnsureAsync(RlhfDbContext db, DateTime nowUtc, CancellationToken ct = default)
    {
        if (await FindIdAsync(db, ct) is { } id) return id;
        var user = new ApplicationUser
        {
            UserName = Email,
            NormalizedUserName = Normalized,
            Email = Email,
            NormalizedEmail = Normalized,
            EmailConfirmed = false,
            PasswordHash = null,
            LockoutEnabled = true,
            LockoutEnd = DateTimeOffset.MaxValue,
            SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
            DisplayName = DisplayName,
            CreatedAtUtc = nowUtc,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return user.Id;
    }
}
