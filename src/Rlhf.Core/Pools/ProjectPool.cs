namespace Rlhf.Core.Pools;

/// <summary>A pool allowed to rate a project.</summary>
public sealed class ProjectPool
{
    public int ProjectId { get; set; }
    public int PoolId { get; set; }
}
