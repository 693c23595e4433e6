namespace Rlhf.Core.Pools;

/// <summary>A group of raters; projects name the pools allowed to rate them.</summary>
public sealed class Pool
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
}
