namespace Rlhf.Core.Rating;

/// <summary>Which response a gold pair's known answer prefers.</summary>
public enum GoldSide
{
    A = 0,
    B = 1,
}
