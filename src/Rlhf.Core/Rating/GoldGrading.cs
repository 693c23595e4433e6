namespace Rlhf.Core.Rating;

/// <summary>
/// Grades a vote on a gold pair against its known answer (a side and a minimum strength), the evidence behind
/// each rater's gold accuracy.
/// </summary>
public static class GoldGrading
{
    /// <summary>
    /// True when the vote prefers the gold side at least as strongly as required: for side A a strength of
    /// -minimumStrength or lower, for side B +minimumStrength or higher. A tie is never correct, since a gold pair
    /// always has a better side.
    /// </summary>
    /// <param name="side">The side the known answer prefers.</param>
    /// <param name="minimumStrength">1 ("better" is enough) or 2 (only "much better" counts), as an absolute value.</param>
    /// <param name="voteStrength">The vote as stored, -2..2 relative to A and B.</param>
    public static bool IsCorrect(GoldSide side, int minimumStrength, int voteStrength)
    {
        if (minimumStrength is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(minimumStrength), minimumStrength, "The minimum strength must be 1 or 2.");
        if (!VoteStrength.IsValid(voteStrength))
            throw new ArgumentOutOfRangeException(nameof(voteStrength), voteStrength, "A vote strength lies in -2..2.");
        return side switch
        {
            GoldSide.A => voteStrength <= -minimumStrength,
            GoldSide.B => voteStrength >= minimumStrength,
            _ => throw new ArgumentOutOfRangeException(nameof(side), side, "Unknown gold side."),
        };
    }
}
