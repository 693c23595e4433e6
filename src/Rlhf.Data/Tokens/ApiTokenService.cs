using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Identity;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;

namespace Rlhf.Data.Tokens;

/// <summary>Personal API tokens: made (secret shown once), listed, revoked, and checked on each API call.</summary>
public sealed class ApiTokenService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock, ApiPrincipalCache principals, WriteGate writes)
{
    public const string SecretPrefix = "rlhf_";

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>
    /// A new token row for the user (to add to a context) and its secret: only the SHA-256 and a short display prefix
    /// are stored. <see cref="CreateAsync"/> uses it; so does bulk set-up that writes many tokens in one transaction.
    /// </summary>
    public static (string Secret, ApiToken Token) NewToken(string userId, string name, DateTime now, int validDays)
    {
        var secret = SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (secret, new ApiToken
        {
            UserId = userId, Name = name, TokenHash = Hash(secret), Prefix = secret[..(SecretPrefix.Length + 6)],
            CreatedAtUtc = now, ExpiresAtUtc = now.AddDays(validDays),
        });
    }

    /// <summary>Makes a token for the user. Returns the secret (to show once) or an error.</summary>
    public async Task<(string? Secret, string? Error)> CreateAsync(string userId, string name, int validDays, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 100) return (null, "Name the token (1 to 100 characters), e.g. 'labelling script'.");
        if (validDays is < 1 or > 366) return (null, "A token is valid for 1 to 366 days.");
        await using var db = await contexts.CreateDbContextAsync(ct);
        var (secret, token) = NewToken(userId, name, clock.GetUtcNow().UtcDateTime, validDays);
        db.ApiTokens.Add(token);
        AuditLog.Add(db, new AuditActor(userId, userId), "token.created", name, $"valid {validDays} day(s)");
        await db.SaveChangesAsync(ct);
        return (secret, null);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Revokes one of the user's own tokens.</summary>
    public async Task<string?> RevokeAsync(string userId, int tokenId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct);
        if (token is null) return "No such token of yours.";
        token.RevokedAtUtc ??= clock.GetUtcNow().UtcDateTime;
        AuditLog.Add(db, new AuditActor(userId, userId), "token.revoked", token.Name, "");
        await db.SaveChangesAsync(ct);
        principals.Forget(token.TokenHash);
        return null;
    }

    /// <summary>The user a presented secret acts as, or null when it is unknown, expired or revoked.</summary>
    public async Task<string?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200) return null;
        var hash = Hash(secret);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null || !token.IsValid(now)) return null;
        if (token.LastUsedAtUtc is null || now - token.LastUsedAtUtc > TimeSpan.FromMinutes(1))
        {
            token.LastUsedAtUtc = now;
            using (await writes.EnterAsync(ct))
                await db.SaveChangesAsync(ct);
        }
        return token.UserId;
    }
}
