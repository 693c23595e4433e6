namespace Rlhf.Demo.Simulation;

/// <summary>
/// How a simulated rater turns two gold scores into a 5-point vote. The rater sees
/// <c>d = right - left + Noise x N(0, 1) - PositionBias</c> and answers "much better" beyond <see cref="StrongMargin"/>,
/// "better" beyond <see cref="TieMargin"/>, a tie otherwise; both are flagged bad when both scores are under
/// <see cref="BothBadBelow"/>.
/// </summary>
public sealed record SimulatedRaterOptions
{
    /// <summary>Standard deviation of the rater's noise on the score difference (0 = always agrees with the judge).</summary>
    public double Noise { get; init; } = 0.3;

    /// <summary>A lean towards the left response in score units (negative leans right). 0 = no position bias.</summary>
    public double PositionBias { get; init; }

    public double TieMargin { get; init; } = 0.2;

    public double StrongMargin { get; init; } = 1.0;

    public double BothBadBelow { get; init; } = -1.0;

    public string? Problem()
    {
        if (!(Noise >= 0) || Noise > 100) return "noise must be between 0 and 100";
        if (!double.IsFinite(PositionBias) || Math.Abs(PositionBias) > 100) return "position-bias must be between -100 and 100";
        if (!(TieMargin >= 0)) return "tie-margin must be 0 or more";
        if (!(StrongMargin > TieMargin)) return "strong-margin must be larger than tie-margin";
        if (!double.IsFinite(BothBadBelow)) return "both-bad-below must be a number";
        return null;
    }
}
