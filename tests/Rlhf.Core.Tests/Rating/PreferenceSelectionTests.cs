using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

/// <summary>The one rule from votes to a preference pair, on hand-made vote sets (raters x, y, z, w; x is flagged).</summary>
public class PreferenceSelectionTests
{
    private static readonly HashSet<string> Flagged = ["x"];

    private static PairSelection Select(PreferencePolicy policy, bool gold = false, params (string Rater, int Strength)[] votes) =>
        PreferenceSelection.Select(votes.Select(v => new PreferenceVote(v.Rater, v.Strength)), gold, Flagged, policy);

    private static PairSelection Select(params (string, int)[] votes) => Select(new PreferencePolicy(), false, votes);

    [Fact]
    public void The_default_policy_takes_the_side_of_the_mean_strength_with_its_size_as_margin()
    {
        var s = Select(("y", -1), ("z", -1), ("w", 1));
        Assert.Equal((SelectionOutcome.Preferred, true, true), (s.Outcome, s.IsPair, s.AChosen));
        Assert.Equal(1.0 / 3, s.Margin, 12);
        Assert.Equal(2.0 / 3, s.Preference.Agreement, 12);
        var b = Select(("y", 2));
        Assert.Equal((SelectionOutcome.Preferred, false, 2.0), (b.Outcome, b.AChosen, b.Margin));
    }

    [Fact]
    public void Mean_and_majority_differ_where_a_strong_vote_meets_two_weak_ones()
    {
        (string, int)[] votes = [("y", -2), ("z", 1), ("w", 1)];
        Assert.Equal(SelectionOutcome.Tie, Select(votes).Outcome);
        var majority = Select(new PreferencePolicy { Method = AggregationMethod.Majority }, false, votes);
        Assert.Equal((SelectionOutcome.Preferred, false), (majority.Outcome, majority.AChosen));
        Assert.Equal(2.0 / 3, majority.Preference.Agreement, 12);
        Assert.Equal(0, majority.Margin);
    }

    [Fact]
    public void Under_majority_the_margin_never_goes_below_zero_when_the_mean_leans_the_other_way()
    {
        var s = Select(new PreferencePolicy { Method = AggregationMethod.Majority }, false, ("y", -2), ("z", -2), ("w", 1), ("a", 1), ("b", 1));
        Assert.Equal((SelectionOutcome.Preferred, false, 0.0), (s.Outcome, s.AChosen, s.Margin));
    }

    [Fact]
    public void Ties_are_dropped_by_default_and_kept_with_A_chosen_and_no_margin_on_request()
    {
        (string, int)[] votes = [("y", -1), ("z", 1)];
        var dropped = Select(votes);
        Assert.Equal((SelectionOutcome.Tie, false), (dropped.Outcome, dropped.IsPair));
        var kept = Select(new PreferencePolicy { DropTies = false }, false, votes);
        Assert.Equal((SelectionOutcome.TieKept, true, true, 0.0), (kept.Outcome, kept.IsPair, kept.AChosen, kept.Margin));
        var tieVotes = Select(new PreferencePolicy { DropTies = false }, false, ("y", 0));
        Assert.Equal((SelectionOutcome.TieKept, 1.0), (tieVotes.Outcome, tieVotes.Preference.Agreement));
    }

    [Fact]
    public void A_minimum_agreement_drops_contested_comparisons_and_keeps_those_exactly_at_it()
    {
        (string, int)[] votes = [("y", -1), ("z", -1), ("w", 1)];
        Assert.Equal(SelectionOutcome.LowAgreement, Select(new PreferencePolicy { MinimumAgreement = 0.7 }, false, votes).Outcome);
        Assert.Equal(SelectionOutcome.Preferred, Select(new PreferencePolicy { MinimumAgreement = 2.0 / 3 }, false, votes).Outcome);
        // A kept tie is held to the minimum too: [0, 0, -1] under majority is a tie with agreement 2/3.
        Assert.Equal(SelectionOutcome.LowAgreement, Select(new PreferencePolicy { Method = AggregationMethod.Majority, DropTies = false, MinimumAgreement = 0.7 },
            false, ("y", 0), ("z", 0), ("w", -1)).Outcome);
    }

    [Fact]
    public void A_minimum_of_votes_drops_thin_comparisons_and_a_comparison_without_votes_is_never_a_pair()
    {
        Assert.Equal(SelectionOutcome.TooFewVotes, Select(new PreferencePolicy { MinimumVotes = 2 }, false, ("y", -1)).Outcome);
        Assert.Equal(SelectionOutcome.Preferred, Select(new PreferencePolicy { MinimumVotes = 2 }, false, ("y", -1), ("z", -2)).Outcome);
        var none = Select(new PreferencePolicy { DropTies = false });
        Assert.Equal((SelectionOutcome.TooFewVotes, 0), (none.Outcome, none.Preference.Votes));
    }

    [Fact]
    public void Flagged_raters_count_unless_the_policy_excludes_them()
    {
        (string, int)[] votes = [("x", 2), ("y", -1)];
        var counted = Select(votes);
        Assert.Equal((false, 2), (counted.AChosen, counted.Preference.Votes));
        var excluded = Select(new PreferencePolicy { ExcludeFlaggedRaters = true }, false, votes);
        Assert.Equal((SelectionOutcome.Preferred, true, 1), (excluded.Outcome, excluded.AChosen, excluded.Preference.Votes));
        // Excluding can leave too few votes.
        Assert.Equal(SelectionOutcome.TooFewVotes, Select(new PreferencePolicy { ExcludeFlaggedRaters = true }, false, ("x", -2)).Outcome);
    }

    [Fact]
    public void Gold_is_left_out_first_unless_the_policy_includes_it()
    {
        var gold = Select(new PreferencePolicy(), true, ("y", -1));
        Assert.Equal((SelectionOutcome.Gold, 0), (gold.Outcome, gold.Preference.Votes));
        Assert.Equal(SelectionOutcome.Gold, Select(new PreferencePolicy(), true).Outcome);
        var included = Select(new PreferencePolicy { IncludeGold = true }, true, ("y", -1));
        Assert.Equal((SelectionOutcome.Preferred, true), (included.Outcome, included.AChosen));
    }

    [Theory]
    [InlineData(1.5, 1, "The minimum agreement must be between 0 and 1.")]
    [InlineData(double.NaN, 1, "The minimum agreement must be between 0 and 1.")]
    [InlineData(0, 0, "The minimum number of votes must be at least 1.")]
    public void A_bad_policy_is_refused_with_its_reason(double minimumAgreement, int minimumVotes, string message)
    {
        var policy = new PreferencePolicy { MinimumAgreement = minimumAgreement, MinimumVotes = minimumVotes };
        Assert.Equal([message], policy.Validate());
        var ex = Assert.Throws<ArgumentException>(() => Select(policy, false, ("y", 1)));
        Assert.StartsWith(message, ex.Message);
        Assert.Equal(["The aggregation method must be mean or majority."], new PreferencePolicy { Method = (AggregationMethod)7 }.Validate());
    }
}
