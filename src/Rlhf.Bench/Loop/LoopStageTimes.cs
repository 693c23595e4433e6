namespace Rlhf.Bench.Loop;

/// <summary>Wall seconds of the stages of `rlhf bench loop` that every method shares, and of the whole benchmark.</summary>
public sealed record LoopStageTimes(double Generate, double Votes, double RewardRun, double Total);
