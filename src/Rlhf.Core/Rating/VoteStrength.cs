namespace Rlhf.Core.Rating;

/// <summary>
/// The 5-point choice, stored relative to the comparison's A and B whatever side they were shown on:
/// -2 A much better, -1 A better, 0 tie, 1 B better, 2 B much better.
/// </summary>
public static class VoteStrength
{
    public const int AMuchBetter = -2;
    public const int ABetter = -1;
    public const int Tie = 0;
    public const int BBetter = 1;
    public const int BMuchBetter = 2;

    public static bool IsValid(int strength) => strength is >= -2 and <= 2;

    /// <summary>
    /// A choice made on the screen (-2 = left much better .. 2 = right much better) turned into the stored value,
    /// given whether A was shown on the left.
    /// </summary>
    public static int FromScreen(int screenChoice, bool aShownLeft) => aShownLeft ? screenChoice : -screenChoice;

    /// <summary>The stored value shown back on the screen (the inverse of <see cref="FromScreen"/>).</summary>
    public static int ToScreen(int strength, bool aShownLeft) => aShownLeft ? strength : -strength;

    /// <summary>
    /// The direction of a vote, its sign: -1 prefers A, 0 is a tie, 1 prefers B. Agreement on direction ignores how
    /// strongly a rater felt, so a "better" and a "much better" for the same side count as agreeing.
    /// </summary>
    public static int Direction(int strength) => Math.Sign(strength);
}
