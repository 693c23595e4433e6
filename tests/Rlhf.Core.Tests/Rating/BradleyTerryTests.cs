using Rlhf.Core.Rating;

namespace Rlhf.Core.Tests.Rating;

public class BradleyTerryTests
{
    [Fact]
    public void Known_strengths_are_recovered_from_a_large_synthetic_sample()
    {
        var truth = new Dictionary<string, double> { ["base"] = -1.0, ["sft"] = -0.2, ["ppo-1"] = 0.4, ["ppo-2"] = 0.8 };
        var names = truth.Keys.ToArray();
        var random = new Random(7);
        var outcomes = new List<(string Winner, string Loser)>();
        for (var game = 0; game < 20_000; game++)
        {
            var i = random.Next(names.Length);
            var j = (i + 1 + random.Next(names.Length - 1)) % names.Length;
            var iWins = random.NextDouble() < BradleyTerry.WinProbability(truth[names[i]], truth[names[j]]);
            outcomes.Add(iWins ? (names[i], names[j]) : (names[j], names[i]));
        }

        var fitted = BradleyTerry.Fit(outcomes);

        Assert.Equal(0.0, fitted.Values.Average(), 9);
        foreach (var name in names)
            Assert.Equal(truth[name], fitted[name], 0.1);
        // The log-odds between any two players, the quantity the model is about.
        foreach (var a in names)
            foreach (var b in names)
                Assert.Equal(truth[a] - truth[b], fitted[a] - fitted[b], 0.15);
    }

    [Fact]
    public void A_player_who_always_wins_ranks_first_with_a_finite_rating()
    {
        var outcomes = new List<(string, string)>();
        for (var n = 0; n < 10; n++)
        {
            outcomes.Add(("champion", "b"));
            outcomes.Add(("champion", "c"));
            outcomes.Add(n % 3 == 0 ? ("c", "b") : ("b", "c"));
        }
        var fitted = BradleyTerry.Fit(outcomes);
        Assert.Equal("champion", fitted.MaxBy(kv => kv.Value).Key);
        Assert.True(double.IsFinite(fitted["champion"]));
        Assert.True(fitted["b"] > fitted["c"]);
    }

    [Fact]
    public void The_default_iterations_reach_the_fixed_point_on_a_lopsided_record()
    {
        // 50-0 against one player, 1-1 between the others: plain MM needed thousands of sweeps here.
        var outcomes = Enumerable.Repeat(("strong", "weak"), 50).Append(("weak", "middle")).Append(("middle", "weak")).ToList();
        var quick = BradleyTerry.Fit(outcomes);
        var thorough = BradleyTerry.Fit(outcomes, iterations: 100_000);
        foreach (var name in thorough.Keys)
            Assert.Equal(thorough[name], quick[name], 6);
        Assert.True(quick["strong"] > 2.5);
    }

    [Fact]
    public void Symmetric_results_give_equal_ratings()
    {
        var outcomes = new List<(string, string)>();
        foreach (var (x, y) in new[] { ("a", "b"), ("b", "c"), ("a", "c") })
        {
            for (var n = 0; n < 4; n++)
            {
                outcomes.Add((x, y));
                outcomes.Add((y, x));
            }
        }
        outcomes.Add(("a", "b"));
        outcomes.Add(("b", "c"));
        outcomes.Add(("c", "a"));   // a rock-paper-scissors cycle on top is symmetric too
        Assert.All(BradleyTerry.Fit(outcomes).Values, rating => Assert.Equal(0.0, rating, 9));
    }

    [Fact]
    public void The_win_probability_is_the_logistic_of_the_rating_difference()
    {
        Assert.Equal(0.5, BradleyTerry.WinProbability(1.3, 1.3), 12);
        Assert.Equal(0.75, BradleyTerry.WinProbability(Math.Log(3), 0), 12);
        Assert.Equal(1 / (1 + Math.Exp(-(0.4 - -1.1))), BradleyTerry.WinProbability(0.4, -1.1), 12);
        Assert.Equal(1.0, BradleyTerry.WinProbability(2, -0.5) + BradleyTerry.WinProbability(-0.5, 2), 12);
    }

    [Fact]
    public void Fitted_ratings_predict_the_observed_win_rate_of_a_well_sampled_pair()
    {
        var outcomes = Enumerable.Repeat(("x", "y"), 300).Concat(Enumerable.Repeat(("y", "x"), 100)).ToList();
        var fitted = BradleyTerry.Fit(outcomes);
        // 75% observed; the half-win prior against the average player shrinks it only slightly.
        Assert.Equal(0.75, BradleyTerry.WinProbability(fitted["x"], fitted["y"]), 0.01);
    }

    [Fact]
    public void Self_matches_are_ignored_and_no_outcomes_give_no_ratings()
    {
        Assert.Empty(BradleyTerry.Fit([]));
        var fitted = BradleyTerry.Fit([("a", "a"), ("a", "b"), ("b", "a")]);
        Assert.Equal(fitted["a"], fitted["b"], 9);
    }

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BradleyTerry.Fit([("a", "b")], iterations: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BradleyTerry.Fit([("a", "b")], prior: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BradleyTerry.Fit([("a", "b")], prior: double.NaN));
    }
}
