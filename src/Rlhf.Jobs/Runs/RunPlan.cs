namespace Rlhf.Jobs.Runs;

/// <summary>
/// What a run's settings will do, shown by its form before it starts: how its data splits (<see cref="Train"/> and
/// <see cref="HeldOut"/> <see cref="DataUnit"/>), how many <see cref="StepUnit"/> it takes, and roughly how long
/// (<see cref="EstimatedTime"/>, from the pace of an earlier run of its kind; null when there is none to go by).
/// <see cref="Warnings"/> are what would make the run useless or fail though its settings are valid (no data).
/// </summary>
public sealed record RunPlan
{
    /// <summary>"pairs", "prompts".</summary>
    public required string DataUnit { get; init; }
    public required int Train { get; init; }
    public required int HeldOut { get; init; }
    /// <summary>What the held-out share is for: "for validation", "held out for rating the result".</summary>
    public required string HeldOutUse { get; init; }
    public required long Steps { get; init; }
    /// <summary>"steps", "updates".</summary>
    public required string StepUnit { get; init; }
    public TimeSpan? EstimatedTime { get; init; }
    /// <summary>Where <see cref="EstimatedTime"/> comes from ("at the pace of run 12, 1.3 s per step"), or why there is none.</summary>
    public required string EstimateBasis { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
