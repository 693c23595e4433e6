namespace Rlhf.Data.Statistics;

/// <summary>A model on the leaderboard: Bradley-Terry log-strength with a bootstrap 95% interval, from the votes that compared it.</summary>
public sealed record ModelStanding(int ModelId, string Name, double Strength, double Low, double High, int Votes);

/// <summary>Two models head to head in a project: the human win rate of <see cref="First"/> over <see cref="Second"/>.</summary>
public sealed record HeadToHead(int FirstId, string First, int SecondId, string Second, Rlhf.Core.Rating.WinRate Result);
