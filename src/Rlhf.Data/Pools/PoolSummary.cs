namespace Rlhf.Data.Pools;

public sealed record PoolSummary(int Id, string Name, string Description, IReadOnlyList<PoolMemberRow> Members, IReadOnlyList<InvitationRow> Invitations);

public sealed record PoolMemberRow(string UserId, string Email, bool Locked);

public sealed record InvitationRow(int Id, DateTime ExpiresAtUtc, int Uses, int MaxUses, bool Revoked, bool Usable);
