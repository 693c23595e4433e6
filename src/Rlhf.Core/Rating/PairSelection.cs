namespace Rlhf.Core.Rating;

/// <summary>The outcome of <see cref="PreferenceSelection.Select"/> for one comparison.</summary>
/// <param name="Outcome">A pair (<see cref="SelectionOutcome.Preferred"/>, <see cref="SelectionOutcome.TieKept"/>) or why not.</param>
/// <param name="Preference">The counted votes combined; empty (no votes) when the comparison was left out as gold.</param>
public sealed record PairSelection(SelectionOutcome Outcome, AggregatedPreference Preference)
{
    /// <summary>The comparison becomes a preference pair.</summary>
    public bool IsPair => Outcome is SelectionOutcome.Preferred or SelectionOutcome.TieKept;

    /// <summary>For a pair: A is chosen (A preferred, or a kept tie); false: B is chosen.</summary>
    public bool AChosen => Preference.Direction <= 0;

    /// <summary>
    /// For a pair: how much better chosen is, the mean strength towards the chosen side (0 for a kept tie, and never
    /// below 0: under majority the mean can lean the other way).
    /// </summary>
    public double Margin => Outcome == SelectionOutcome.Preferred ? Math.Max(0, Preference.Direction * Preference.MeanStrength) : 0;
}
