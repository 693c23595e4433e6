namespace Rlhf.Core.Rating;

/// <summary>
/// Bradley-Terry ratings from pairwise outcomes, to compare models or checkpoints with human votes: each player i
/// has a strength s_i and P(i beats j) = 1 / (1 + exp(-(s_i - s_j))). Fitted by the MM algorithm of Hunter (2004),
/// "MM algorithms for generalized Bradley-Terry models", Annals of Statistics 32(1).
/// </summary>
/// <remarks>
/// A plain maximum-likelihood fit sends a player who never lost to +infinity (and one who never won to
/// -infinity). To keep every rating finite, each player also plays a virtual average player of fixed strength
/// exp(0) = 1 and is credited with <c>prior</c> wins and <c>prior</c> losses against it: a symmetric pseudo-count
/// that pulls sparse players gently towards the middle and is negligible once a player has many real games.
/// The result is the log-strengths, centred to mean 0; multiply by 400 / ln 10 for an Elo-like scale.
/// Ties are not outcomes: a tie vote is left out by the caller.
/// </remarks>
public static class BradleyTerry
{
    /// <summary>Stop early once no log-strength moves by more than this in an iteration.</summary>
    private const double Converged = 1e-12;

    /// <summary>
    /// Fits log-strengths to the outcomes. Each outcome is one game; repeat it for repeated games. Outcomes where a
    /// player meets itself carry no information and are ignored (the player still gets a rating).
    /// Returns an empty dictionary for no outcomes. Player names compare ordinally.
    /// </summary>
    /// <param name="outcomes">(winner, loser) per game, e.g. the models behind the preferred and the other response.</param>
    /// <param name="iterations">The most MM iterations, at least 1 (each costs O(players²)).</param>
    /// <param name="prior">Virtual wins and losses per player against the average player; must be above 0.</param>
    public static IReadOnlyDictionary<string, double> Fit(IReadOnlyList<(string Winner, string Loser)> outcomes, int iterations = 200, double prior = 0.5)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (!(prior > 0) || double.IsInfinity(prior))
            throw new ArgumentOutOfRangeException(nameof(prior), prior, "The prior must be a positive number.");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (winner, loser) in outcomes)
        {
            ArgumentNullException.ThrowIfNull(winner, nameof(outcomes));
            ArgumentNullException.ThrowIfNull(loser, nameof(outcomes));
            index.TryAdd(winner, index.Count);
            index.TryAdd(loser, index.Count);
        }
        var players = index.Count;
        if (players == 0)
            return new Dictionary<string, double>(StringComparer.Ordinal);

        var wins = new double[players];
        var games = new double[players, players];
        foreach (var (winner, loser) in outcomes)
        {
            int w = index[winner], l = index[loser];
            if (w == l)
                continue;
            wins[w]++;
            games[w, l]++;
            games[l, w]++;
        }

        var strength = Enumerable.Repeat(1.0, players).ToArray();
        var before = new double[players];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            Array.Copy(strength, before, players);

            // Hunter's MM step, gamma_i = W_i / sum_j n_ij / (gamma_i + gamma_j) with the virtual games included,
            // applied player by player with the freshest strengths (the cyclic variant, also an MM algorithm).
            for (var i = 0; i < players; i++)
            {
                var denominator = 2 * prior / (strength[i] + 1);
                for (var j = 0; j < players; j++)
                {
                    if (games[i, j] > 0)
                        denominator += games[i, j] / (strength[i] + strength[j]);
                }
                strength[i] = (wins[i] + prior) / denominator;
            }

            // Real games only see strength ratios, so the common scale is pinned by the virtual games alone and MM
            // moves along it slowly (lopsided records took thousands of sweeps). Setting it exactly is a coordinate
            // step on the same objective, so every iteration still increases it.
            var scale = Math.Exp(BestCommonShift(strength));
            var largestMove = 0.0;
            for (var i = 0; i < players; i++)
            {
                strength[i] *= scale;
                largestMove = Math.Max(largestMove, Math.Abs(Math.Log(strength[i] / before[i])));
            }
            if (largestMove < Converged)
                break;
        }

        var logs = strength.Select(s => Math.Log(s)).ToArray();
        var mean = logs.Average();
        return index.ToDictionary(kv => kv.Key, kv => logs[kv.Value] - mean, StringComparer.Ordinal);
    }

    /// <summary>
    /// The shift c of every log-strength that maximises the virtual games' likelihood,
    /// sum_i prior (theta_i + c) - 2 prior log(1 + exp(theta_i + c)): the root of sum_i sigmoid(theta_i + c) = n / 2,
    /// found by bisection (the sum increases with c).
    /// </summary>
    private static double BestCommonShift(double[] strength)
    {
        var logs = strength.Select(s => Math.Log(s)).ToArray();
        double low = -logs.Max() - 40, high = -logs.Min() + 40;
        for (var step = 0; step < 64; step++)
        {
            var middle = (low + high) / 2;
            var expectedWins = logs.Sum(t => 1 / (1 + Math.Exp(-(t + middle))));
            if (expectedWins > logs.Length / 2.0)
                high = middle;
            else
                low = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>The Bradley-Terry probability that a player rated <paramref name="ratingI"/> beats one rated
    /// <paramref name="ratingJ"/>: 1 / (1 + exp(-(s_i - s_j))), on the log-strength scale <see cref="Fit"/> returns.</summary>
    public static double WinProbability(double ratingI, double ratingJ) => 1 / (1 + Math.Exp(-(ratingI - ratingJ)));
}
