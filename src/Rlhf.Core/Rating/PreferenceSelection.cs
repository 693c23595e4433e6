namespace Rlhf.Core.Rating;

/// <summary>
/// The one rule that turns the votes on a comparison into a preference pair (chosen, rejected) or nothing, under a
/// <see cref="PreferencePolicy"/>: the TRL export and reward runs trained on a project both go through it, so the same
/// project and policy give the same pairs.
/// </summary>
public static class PreferenceSelection
{
    private static readonly AggregatedPreference NoVotes = new(0, 0, 0, 0);

    /// <summary>
    /// In order, the first that applies: gold and the policy leaves gold out (<see cref="SelectionOutcome.Gold"/>);
    /// the votes of flagged raters are dropped when the policy excludes them; fewer counted votes than the minimum
    /// (<see cref="SelectionOutcome.TooFewVotes"/>); the votes combined by the policy's method
    /// (<see cref="PreferenceAggregation"/>) give direction 0 and ties are dropped (<see cref="SelectionOutcome.Tie"/>);
    /// the agreement is below the minimum (<see cref="SelectionOutcome.LowAgreement"/>); otherwise a pair.
    /// </summary>
    /// <param name="votes">The comparison's not-voided votes.</param>
    /// <param name="isGold">The comparison has a gold answer.</param>
    /// <param name="flaggedRaters">Raters flagged by the project's gold settings (used only when the policy excludes them).</param>
    /// <param name="policy">A valid policy.</param>
    /// <exception cref="ArgumentException">The policy is invalid.</exception>
    public static PairSelection Select(IEnumerable<PreferenceVote> votes, bool isGold, IReadOnlySet<string> flaggedRaters, PreferencePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(votes);
        ArgumentNullException.ThrowIfNull(flaggedRaters);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(policy));

        if (isGold && !policy.IncludeGold) return new PairSelection(SelectionOutcome.Gold, NoVotes);
        var strengths = votes.Where(v => !(policy.ExcludeFlaggedRaters && flaggedRaters.Contains(v.RaterId))).Select(v => v.Strength).ToList();
        var preference = PreferenceAggregation.Aggregate(strengths, policy.Method);
        var outcome =
            strengths.Count < policy.MinimumVotes ? SelectionOutcome.TooFewVotes
            : preference.Direction == 0 && policy.DropTies ? SelectionOutcome.Tie
            : preference.Agreement < policy.MinimumAgreement ? SelectionOutcome.LowAgreement
            : preference.Direction == 0 ? SelectionOutcome.TieKept
            : SelectionOutcome.Preferred;
        return new PairSelection(outcome, preference);
    }
}
