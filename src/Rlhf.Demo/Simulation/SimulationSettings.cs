
namespace Rlhf.Demo.Simulation;

/// <summary>What `rlhf simulate` was asked to do.</summary>
public sealed record SimulationSettings
{
    public required Uri BaseAddress { get; init; }
    public required int ProjectId { get; init; }
    public required int Raters { get; init; }
    public required string Password { get; init; }
    public string? Invitation { get; init; }
    public string EmailPrefix { get; init; } = "sim-rater";
    public string EmailDomain { get; init; } = "simulated.test";
    /// <summary>Votes per rater at most (0 = until there is nothing left to rate).</summary>
    public int MaxVotesPerRater { get; init; }
    public int Seed { get; init; } = 1;
    public SimulatedRaterOptions Rater { get; init; } = new();

    public string Email(int index) => $"{EmailPrefix}-{index:D3}@{EmailDomain}";
}
