using Rlhf.Demo.Simulation;

namespace Rlhf.Demo.Tests.Simulation;

public class SimulatedRaterTests
{
    [Fact]
    public void A_noiseless_rater_follows_the_scores_and_its_margins()
    {
        var o = new SimulatedRaterOptions { Noise = 0 };
        var random = new Random(1);
        Assert.Equal(new SimulatedVote(-2, false), SimulatedRater.Decide(1.5, 0.0, o, random));
        Assert.Equal(new SimulatedVote(-1, false), SimulatedRater.Decide(0.5, 0.0, o, random));
        Assert.Equal(new SimulatedVote(0, false), SimulatedRater.Decide(0.1, 0.0, o, random));
        Assert.Equal(new SimulatedVote(1, false), SimulatedRater.Decide(0.0, 0.5, o, random));
        Assert.Equal(new SimulatedVote(2, true), SimulatedRater.Decide(-3.0, -1.5, o, random));
    }

    [Fact]
    public void Noise_flips_some_votes_and_position_bias_favours_the_left()
    {
        var random = new Random(7);
        var noisy = new SimulatedRaterOptions { Noise = 1.0 };
        var agree = Enumerable.Range(0, 4000).Count(_ => SimulatedRater.Decide(0.0, 0.5, noisy, random).ScreenChoice > 0);
        // P(0.5 + N(0,1) > 0.2) = P(Z > -0.3) = 0.618.
        Assert.InRange(agree / 4000.0, 0.59, 0.65);

        var biased = new SimulatedRaterOptions { Noise = 1.0, PositionBias = 0.5 };
        var left = Enumerable.Range(0, 4000).Count(_ => SimulatedRater.Decide(0.0, 0.0, biased, random).ScreenChoice < 0);
        var right = Enumerable.Range(0, 4000).Count(_ => SimulatedRater.Decide(0.0, 0.0, biased, random).ScreenChoice > 0);
        // Equal responses: P(N(0,1) - 0.5 < -0.2) = P(Z < 0.3) = 0.618 left, P(Z > 0.7) = 0.242 right.
        Assert.InRange(left / 4000.0, 0.59, 0.65);
        Assert.InRange(right / 4000.0, 0.22, 0.27);
        Assert.Equal("strong-margin must be larger than tie-margin", new SimulatedRaterOptions { TieMargin = 1, StrongMargin = 1 }.Problem());
    }
}
