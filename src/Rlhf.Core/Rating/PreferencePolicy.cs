namespace Rlhf.Core.Rating;

/// <summary>
/// Which comparisons become preference pairs (prompt, chosen, rejected), and how their votes are combined: one policy
/// for the TRL export and for reward runs trained on a project, applied by <see cref="PreferenceSelection"/>. The
/// defaults are the export's defaults.
/// </summary>
public sealed record PreferencePolicy
{
    public AggregationMethod Method { get; init; } = AggregationMethod.MeanStrength;

    /// <summary>
    /// True (default): comparisons whose combined direction is 0 are left out. False: they are kept with the
    /// comparison's A as chosen and B as rejected (TRL has no tie; useful only to a trainer that ignores the order).
    /// </summary>
    public bool DropTies { get; init; } = true;

    /// <summary>0..1: comparisons whose agreement (share of votes in the combined direction) is below this are dropped.</summary>
    public double MinimumAgreement { get; init; }

    /// <summary>Leave out the votes of raters flagged by the project's gold settings (accuracy below the minimum).</summary>
    public bool ExcludeFlaggedRaters { get; init; }

    /// <summary>Also keep gold comparisons (default false: gold measures raters, it is not training data).</summary>
    public bool IncludeGold { get; init; }

    /// <summary>Comparisons with fewer counted votes are dropped; at least 1.</summary>
    public int MinimumVotes { get; init; } = 1;

    /// <summary>Every problem as one sentence; empty when usable.</summary>
    public IReadOnlyList<string> Validate() => Problems().Select(p => p.Sentence).ToList();

    /// <summary>Every problem with the property it belongs to (a form shows it under that field); empty when usable.</summary>
    public IReadOnlyList<(string Field, string Sentence)> Problems()
    {
        var problems = new List<(string, string)>();
        if (!Enum.IsDefined(Method)) problems.Add((nameof(Method), "The aggregation method must be mean or majority."));
        if (double.IsNaN(MinimumAgreement) || MinimumAgreement is < 0 or > 1)
            problems.Add((nameof(MinimumAgreement), "The minimum agreement must be between 0 and 1."));
        if (MinimumVotes < 1) problems.Add((nameof(MinimumVotes), "The minimum number of votes must be at least 1."));
        return problems;
    }
}
