using System.Collections.Concurrent;
using System.Security.Claims;

namespace Rlhf.Data.Tokens;

/// <summary>
/// The principal an API token acted as, kept for <see cref="Lifetime"/> (5 s) after it was built from the database,
/// keyed by the token's SHA-256 (never the secret). Without it every API call costs five queries (token, user,
/// lockout, roles, claims). In this process a revocation, a lock or a role change forgets the entry at once; one made
/// by another process (e.g. `rlhf users lock`), and a token's expiry, take effect within the lifetime.
/// </summary>
public sealed class ApiPrincipalCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private const int PruneAbove = 10_000;

    private sealed record Entry(string UserId, ClaimsPrincipal Principal, DateTimeOffset ExpiresAt);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public ClaimsPrincipal? Find(string tokenHash) =>
        entries.TryGetValue(tokenHash, out var entry) && entry.ExpiresAt > clock.GetUtcNow() ? entry.Principal : null;

    public void Remember(string tokenHash, string userId, ClaimsPrincipal principal)
    {
        var now = clock.GetUtcNow();
        if (entries.Count > PruneAbove)
            foreach (var (key, entry) in entries)
                if (entry.ExpiresAt <= now) entries.TryRemove(key, out _);
        entries[tokenHash] = new Entry(userId, principal, now + Lifetime);
    }

    public void Forget(string tokenHash) => entries.TryRemove(tokenHash, out _);

    public void ForgetUser(string userId)
    {
        foreach (var (key, entry) in entries)
            if (entry.UserId == userId) entries.TryRemove(key, out _);
    }
}
