using Rlhf.Core.Rating;

namespace Rlhf.Data.Exchange;

/// <summary>Which comparisons become TRL preference pairs, and how their votes are combined.</summary>
public sealed record ExportPolicy
{
    public AggregationMethod Method { get; init; } = AggregationMethod.MeanStrength;

    /// <summary>
    /// True (default): comparisons whose combined direction is 0 are not written. False: they are written with the
    /// comparison's A as chosen and B as rejected (TRL has no tie; useful only to a trainer that ignores the order).
    /// </summary>
    public bool DropTies { get; init; } = true;

    /// <summary>0..1: comparisons whose agreement (share of votes in the combined direction) is below this are dropped.</summary>
    public double MinimumAgreement { get; init; }

    /// <summary>Leave out the votes of raters flagged by the project's gold settings (accuracy below the minimum).</summary>
    public bool ExcludeFlaggedRaters { get; init; }

    /// <summary>Also export gold comparisons (default false: gold measures raters, it is not training data).</summary>
    public bool IncludeGold { get; init; }

    /// <summary>Comparisons with fewer counted votes are dropped; at least 1.</summary>
    public int MinimumVotes { get; init; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Method)) errors.Add("The aggregation method must be mean or majority.");
        if (double.IsNaN(MinimumAgreement) || MinimumAgreement is < 0 or > 1) errors.Add("The minimum agreement must be between 0 and 1.");
        if (MinimumVotes < 1) errors.Add("The minimum number of votes must be at least 1.");
        return errors;
    }
}

/// <summary>What a preference export wrote and why the other comparisons were left out (each counted once, first reason).</summary>
public sealed record PreferenceExportSummary
{
    public int Comparisons { get; init; }
    public int Written { get; init; }
    /// <summary>Gold comparisons left out (policy IncludeGold false).</summary>
    public int DroppedGold { get; init; }
    /// <summary>Fewer counted votes than MinimumVotes (comparisons with no votes at all included).</summary>
    public int DroppedTooFewVotes { get; init; }
    public int DroppedTie { get; init; }
    public int DroppedAgreement { get; init; }
    /// <summary>Ties written as A chosen (policy DropTies false).</summary>
    public int TiesWritten { get; init; }
    /// <summary>Raters whose votes were left out as flagged.</summary>
    public int FlaggedRatersExcluded { get; init; }
    /// <summary>Votes counted (not void, not by an excluded rater) on the comparisons considered.</summary>
    public int VotesCounted { get; init; }
}

public enum VotesFormat
{
    Jsonl = 0,
    Csv = 1,
}

public sealed record VotesExportSummary(int Votes, int Voided);
