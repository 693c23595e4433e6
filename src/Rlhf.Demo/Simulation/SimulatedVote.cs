namespace Rlhf.Demo.Simulation;

/// <summary>A simulated rater's vote as the rating page takes it: -2 (left much better) .. 2 (right much better), and both-bad.</summary>
public sealed record SimulatedVote(int ScreenChoice, bool BothBad);
