namespace Rlhf.Data.Review;

/// <summary>Which comparisons the researcher's review queue shows.</summary>
public enum ReviewFilter
{
    /// <summary>Every comparison with at least one vote or skip.</summary>
    Rated = 0,
    /// <summary>The counted votes do not all point the same way (A, tie, B).</summary>
    Disagreement = 1,
    /// <summary>At least one rater skipped it.</summary>
    Skipped = 2,
    /// <summary>A rater skipped it as unsafe, as holding personal data, or as spam or broken.</summary>
    Flagged = 3,
    /// <summary>A gold comparison with a counted vote that misses its known answer.</summary>
    GoldMisses = 4,
}
