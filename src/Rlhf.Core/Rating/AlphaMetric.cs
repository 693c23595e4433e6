namespace Rlhf.Core.Rating;

/// <summary>
/// The difference function Krippendorff's alpha uses between two values (Krippendorff 2011, "Computing
/// Krippendorff's Alpha-Reliability"). Our votes are -2..2: "direction" agreement reduces them to sign() and uses
/// <see cref="Nominal"/> (3 categories: A, tie, B); "strength" agreement keeps the 5 points and uses
/// <see cref="Ordinal"/>, which respects their order without assuming equal spacing.
/// </summary>
public enum AlphaMetric
{
    /// <summary>Values are unordered categories: any two different values differ by 1.</summary>
    Nominal = 0,

    /// <summary>
    /// Values are ranks: the difference between c and k is (the count of values from c to k minus half the counts
    /// of c and k), squared, so rarely used steps count for less.
    /// </summary>
    Ordinal = 1,

    /// <summary>Values are equally spaced numbers: the difference is (c - k) squared.</summary>
    Interval = 2,
}
