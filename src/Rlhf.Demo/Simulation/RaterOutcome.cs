namespace Rlhf.Demo.Simulation;

/// <summary>What one simulated rater did: votes stored, votes that agree with the judge's noiseless preference, and why it stopped.</summary>
public sealed record RaterOutcome(string Email, int Votes, int AgreeWithJudge, int Errors, string Stopped);
