namespace Rlhf.Core.Identity;

/// <summary>
/// A personal API token: it acts as its user, with their roles, until it expires or is revoked. Only the
/// SHA-256 of the secret is stored; the secret is shown once when the token is made.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";
    /// <summary>The first characters of the secret, to tell tokens apart in lists.</summary>
    public string Prefix { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
    public DateTime ExpiresAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
    public DateTime? LastUsedAtUtc { get; set; }

    public bool IsValid(DateTime nowUtc) => RevokedAtUtc is null && ExpiresAtUtc > nowUtc;
}
