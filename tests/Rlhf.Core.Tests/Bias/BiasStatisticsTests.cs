using Rlhf.Core.Rating;
using static Rlhf.Core.Rating.BiasStatistics;

namespace Rlhf.Core.Tests.Bias;

public class BiasStatisticsTests
{
    [Theory]
    // Reference values from R: binom.test(x, n, 0.5)$p.value
    [InlineData(7, 10, 0.34375)]
    [InlineData(9, 10, 0.021484375)]
    [InlineData(5, 10, 1.0)]
    [InlineData(0, 5, 0.0625)]
    [InlineData(60, 100, 0.05688793)]
    public void Binomial_two_sided_p_values_match_R(int successes, int trials, double expected) =>
        Assert.Equal(expected, BinomialTest.TwoSidedP(successes, trials), 6);

    [Fact]
    public void Position_bias_counts_the_screen_side_not_A_or_B()
    {
        // Always the left side, whichever response was there: 8 of 8 non-tie votes.
        var votes = new List<VoteSides>();
        for (var i = 0; i < 8; i++)
        {
            var aLeft = i % 2 == 0;
            votes.Add(new VoteSides(VoteStrength.FromScreen(-1, aLeft), aLeft, 10, 20));
        }
        votes.Add(new VoteSides(0, true, 10, 20)); // ties do not count
        var bias = Position(votes);
        Assert.Equal(1.0, bias.Share);
        Assert.Equal(8, bias.Votes);
        Assert.Equal(0.0078125, bias.PValue, 7); // binom.test(8, 8)
    }

    [Fact]
    public void Length_bias_is_the_share_preferring_the_longer_response()
    {
        var votes = new[]
        {
            new VoteSides(-2, true, 100, 10),  // A longer, A preferred
            new VoteSides(1, false, 10, 100),  // B longer, B preferred
            new VoteSides(-1, true, 10, 100),  // shorter preferred
            new VoteSides(1, true, 50, 50),    // equal length: not counted
        };
        var bias = Length(votes);
        Assert.Equal(2.0 / 3, bias.Share!.Value, 9);
        Assert.Equal(3, bias.Votes);
    }

    [Fact]
    public void No_decided_votes_give_no_share()
    {
        Assert.Null(Position([new VoteSides(0, true, 1, 2)]).Share);
        Assert.Equal(1.0, Position([]).PValue);
    }
}
