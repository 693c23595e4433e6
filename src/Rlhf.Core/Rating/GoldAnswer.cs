namespace Rlhf.Core.Rating;

/// <summary>A comparison's known answer: the side that is better, and at least how strongly (1 or 2).</summary>
public sealed class GoldAnswer
{
    public long ComparisonId { get; set; }
    public GoldSide Side { get; set; }
    public int MinimumStrength { get; set; } = 1;
    public string? CreatedById { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}
