namespace Rlhf.Core.Rating;

/// <summary>What <see cref="PreferenceSelection"/> made of one comparison: a pair, or the first reason it was left out.</summary>
public enum SelectionOutcome
{
    /// <summary>The votes prefer a side: a pair with that side as chosen.</summary>
    Preferred = 0,
    /// <summary>The combined direction is 0 and the policy keeps ties: a pair with A as chosen.</summary>
    TieKept = 1,
    /// <summary>A gold comparison, and the policy leaves gold out.</summary>
    Gold = 2,
    /// <summary>Fewer counted votes than the policy's minimum (no votes at all included).</summary>
    TooFewVotes = 3,
    /// <summary>The combined direction is 0 and the policy drops ties.</summary>
    Tie = 4,
    /// <summary>The agreement is below the policy's minimum.</summary>
    LowAgreement = 5,
}
