namespace Rlhf.Core.Rating;

/// <summary>How the votes on one comparison become one preference for a training set.</summary>
public enum AggregationMethod
{
    /// <summary>The sign of the mean strength: strong votes outweigh weak ones (a -2 and two +1 cancel out).</summary>
    MeanStrength = 0,

    /// <summary>The most common direction (A, tie, B), each vote counting once whatever its strength.</summary>
    Majority = 1,
}
