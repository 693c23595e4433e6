namespace Rlhf.Data.Exchange;

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
