namespace Rlhf.Demo.Simulation;

/// <summary>
/// A simulated rater: a judge's gold scores for the two responses as shown (left, right), plus the rater's noise and
/// position bias, become a vote on the rating page's scale (-2 left much better .. 2 right much better).
/// </summary>
public static class SimulatedRater
{
    public static SimulatedVote Decide(double leftScore, double rightScore, SimulatedRaterOptions options, Random random)
    {
        var d = rightScore - leftScore + options.Noise * Gaussian(random) - options.PositionBias;
        var choice = Math.Abs(d) switch
        {
            var m when m > options.StrongMargin => 2,
            var m when m > options.TieMargin => 1,
            _ => 0,
        } * Math.Sign(d);
        return new SimulatedVote(choice, leftScore < options.BothBadBelow && rightScore < options.BothBadBelow);
    }

    /// <summary>
    /// A vote on the demo task: <see cref="DemoJudge"/> scores both responses as shown, then <see cref="Decide"/>. Also
    /// says whether the vote picks the side the noiseless judge prefers (a tie agrees with a tie).
    /// </summary>
    public static (SimulatedVote Vote, bool AgreesWithJudge) OnDemoTask(string prompt, string left, string right, SimulatedRaterOptions options, Random random)
    {
        var (leftScore, rightScore) = (DemoJudge.Score(prompt, left), DemoJudge.Score(prompt, right));
        var vote = Decide(leftScore, rightScore, options, random);
        return (vote, Math.Sign(vote.ScreenChoice) == Math.Sign(rightScore - leftScore));
    }

    /// <summary>Box-Muller: one standard normal draw from two uniforms (System.Random with a seed is stable across runs).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
