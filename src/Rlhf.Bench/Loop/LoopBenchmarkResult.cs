namespace Rlhf.Bench.Loop;

/// <summary>
/// What `rlhf bench loop` measured. Gold = the demo judge's score (the truth in this simulation); proxy = the trained
/// reward model's score. "Before" is the reference (starting) policy, "after" the PPO policy, both sampled on the same
/// held-out prompts with the same settings.
/// </summary>
public sealed record LoopBenchmarkResult
{
    public required LoopStageTimes Seconds { get; init; }
    public required int Comparisons { get; init; }
    public required int Votes { get; init; }
    public required double RaterAgreementWithJudge { get; init; }
    public required int PreferencePairs { get; init; }
    public required double RewardValidationAccuracy { get; init; }
    public required int HeldOutPrompts { get; init; }
    public required double GoldBefore { get; init; }
    public required double GoldAfter { get; init; }
    public required double ProxyBefore { get; init; }
    public required double ProxyAfter { get; init; }
    /// <summary>objective/kl of the last PPO update (nats per response).</summary>
    public required double FinalKl { get; init; }
    /// <summary>Share of the simulated raters' decisive votes that prefer the PPO policy's response (ties left out).</summary>
    public required double SimulatedWinRate { get; init; }
    public required IReadOnlyList<LoopCurvePoint> Curve { get; init; }
    public required long PpoJobId { get; init; }
    public required string WorkFolder { get; init; }
}
