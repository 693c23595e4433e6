namespace Rlhf.Bench.Loop;

/// <summary>
/// What `rlhf bench loop` measured: the shared stages (generation, simulated votes, the reward model) and one
/// <see cref="LoopMethodResult"/> per method, in the order run, all on the same votes and the same base policy.
/// </summary>
public sealed record LoopBenchmarkResult
{
    public required LoopStageTimes Seconds { get; init; }
    public required int Comparisons { get; init; }
    public required int Votes { get; init; }
    public required double RaterAgreementWithJudge { get; init; }
    public required int PreferencePairs { get; init; }
    public required double RewardValidationAccuracy { get; init; }
    /// <summary>The CPU budget each method trained under, in CPU-minutes; null: each ran its step count.</summary>
    public required double? BudgetCpuMinutes { get; init; }
    public required IReadOnlyList<LoopMethodResult> Methods { get; init; }
    public required string WorkFolder { get; init; }
}
