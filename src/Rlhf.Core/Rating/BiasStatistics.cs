namespace Rlhf.Core.Rating;

/// <summary>
/// Two rater biases no labelling tool we know shows: position bias (favouring the left or right side whatever it
/// holds) and length bias (favouring the longer response).
/// </summary>
public static class BiasStatistics
{
    /// <summary>One vote as the bias statistics see it.</summary>
    /// <param name="Strength">-2..2 relative to A and B.</param>
    /// <param name="AShownLeft">Whether A was on the left.</param>
    /// <param name="LengthA">Characters of response A.</param>
    /// <param name="LengthB">Characters of response B.</param>
    public sealed record VoteSides(int Strength, bool AShownLeft, int LengthA, int LengthB);

    /// <summary>A share with how many votes it counts and, for position, the binomial p-value against 1/2.</summary>
    public sealed record Bias(double? Share, int Votes, double PValue);

    /// <summary>Share of non-tie votes that chose the LEFT response, and the exact two-sided binomial p-value.</summary>
    public static Bias Position(IEnumerable<VoteSides> votes)
    {
        var decided = votes.Where(v => v.Strength != 0).ToList();
        var left = decided.Count(v => VoteStrength.ToScreen(v.Strength, v.AShownLeft) < 0);
        return new Bias(decided.Count == 0 ? null : (double)left / decided.Count, decided.Count, BinomialTest.TwoSidedP(left, decided.Count));
    }

    /// <summary>Share of non-tie votes between responses of different lengths that chose the LONGER one.</summary>
    public static Bias Length(IEnumerable<VoteSides> votes)
    {
        var decided = votes.Where(v => v.Strength != 0 && v.LengthA != v.LengthB).ToList();
        var longer = decided.Count(v => v.Strength < 0 ? v.LengthA > v.LengthB : v.LengthB > v.LengthA);
        return new Bias(decided.Count == 0 ? null : (double)longer / decided.Count, decided.Count, BinomialTest.TwoSidedP(longer, decided.Count));
    }
}
