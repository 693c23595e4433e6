namespace Rlhf.Data.Statistics;

/// <summary>A model on the leaderboard: Bradley-Terry log-strength with a bootstrap 95% interval, from the votes that compared it.</summary>
/// <param name="Wins">Of <paramref name="Votes"/>, the votes it won.</param>
public sealed record ModelStanding(int ModelId, string Name, double Strength, double Low, double High, int Votes, int Wins)
{
    /// <summary>
    /// Won every vote or lost every vote: every bootstrap resample is the same record, so the interval has no width, and
    /// the strength is bounded only by the fit's prior (the data alone put it at plus or minus infinity).
    /// </summary>
    public bool OneSided => Wins == Votes || Wins == 0;
}

/// <summary>Two models head to head in a project: the human win rate of <see cref="First"/> over <see cref="Second"/>.</summary>
public sealed record HeadToHead(int FirstId, string First, int SecondId, string Second, Rlhf.Core.Rating.WinRate Result);
