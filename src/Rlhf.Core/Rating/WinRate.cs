namespace Rlhf.Core.Rating;

/// <summary>
/// A head-to-head human win rate: wins + half the ties over all votes, with a 95% Wilson score interval
/// (Wilson 1927; the interval most rating dashboards use for proportions).
/// </summary>
public sealed record WinRate(int Wins, int Losses, int Ties)
{
    public int Votes => Wins + Losses + Ties;
    public double? Rate => Votes == 0 ? null : (Wins + 0.5 * Ties) / Votes;

    /// <summary>The 95% Wilson interval of <see cref="Rate"/> (z = 1.96); null without votes.</summary>
    public (double Low, double High)? Interval95
    {
        get
        {
            if (Votes == 0) return null;
            const double z = 1.959963984540054;
            double n = Votes, p = Rate!.Value;
            var centre = (p + z * z / (2 * n)) / (1 + z * z / n);
            var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
            return (Math.Max(0, centre - half), Math.Min(1, centre + half));
        }
    }
}
