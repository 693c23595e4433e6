namespace Rlhf.Bench.Loop;

/// <summary>Wall seconds of each stage of `rlhf bench loop`.</summary>
public sealed record LoopStageTimes(double Generate, double Votes, double RewardRun, double PpoRun, double GenerateAgain, double VotesAgain, double Total);
