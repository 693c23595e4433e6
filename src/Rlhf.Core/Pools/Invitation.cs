namespace Rlhf.Core.Pools;

/// <summary>
/// A link that lets a new rater register into a pool. Only the SHA-256 of its token is stored; the link is
/// shown once when it is made.
/// </summary>
public sealed class Invitation
{
    public int Id { get; set; }
    public int PoolId { get; set; }
    public string TokenHash { get; set; } = "";
    public DateTime ExpiresAtUtc { get; set; }
    /// <summary>How many registrations it allows (1 for single-use).</summary>
    public int MaxUses { get; set; } = 1;
    public int Uses { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
    public string? CreatedById { get; set; }
    public DateTime CreatedAtUtc { get; set; }

    public bool IsUsable(DateTime nowUtc) => RevokedAtUtc is null && ExpiresAtUtc > nowUtc && Uses < MaxUses;
}
