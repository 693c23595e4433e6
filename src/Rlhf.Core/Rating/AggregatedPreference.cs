namespace Rlhf.Core.Rating;

/// <summary>
/// The raters' combined verdict on one comparison, as exported for preference training (chosen / rejected).
/// </summary>
/// <param name="Direction">-1 A preferred, 0 tie or undecided (not exported as a preference), 1 B preferred.</param>
/// <param name="MeanStrength">The mean stored strength, -2..2 (0 when there are no votes).</param>
/// <param name="Agreement">The share of votes whose direction equals <paramref name="Direction"/> (0 when there
/// are no votes); a confidence a training run can filter or weight by.</param>
/// <param name="Votes">How many votes were combined.</param>
public sealed record AggregatedPreference(int Direction, double MeanStrength, double Agreement, int Votes);
