namespace Rlhf.Core.Pools;

public sealed class PoolMember
{
    public int PoolId { get; set; }
    public string UserId { get; set; } = "";
    public DateTime AddedAtUtc { get; set; }
}
