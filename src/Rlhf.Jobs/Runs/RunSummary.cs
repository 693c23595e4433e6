using System.Text.Json.Serialization;
using Rlhf.Core.Jobs;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// What pages and the API show of a run: its kind, status, name, key settings, progress and the latest values of its
/// key metrics; <see cref="Settings"/> is null when the stored payload cannot be read (<see cref="SettingsJson"/> is
/// then the payload as stored).
/// </summary>
public sealed record RunSummary
{
    public required long Id { get; init; }
    public required RunKind Kind { get; init; }
    public required string Name { get; init; }
    public required JobStatus Status { get; init; }
    /// <summary>0..1.</summary>
    public required double Progress { get; init; }
    public string? Message { get; init; }
    public string? Error { get; init; }
    public bool CancelRequested { get; init; }
    public required DateTime CreatedAtUtc { get; init; }
    public DateTime? StartedAtUtc { get; init; }
    public DateTime? FinishedAtUtc { get; init; }
    public IRunSettings? Settings { get; init; }
    /// <summary>The stored settings, indented.</summary>
    [JsonIgnore] public string SettingsJson { get; init; } = "";
    public required IReadOnlyList<KeyValuePair<string, string>> KeySettings { get; init; }
    /// <summary>The latest value of each of <see cref="RunKind.KeyMetrics"/> logged so far.</summary>
    public required IReadOnlyDictionary<string, double> KeyMetrics { get; init; }

    [JsonIgnore] public bool IsActive => Status is JobStatus.Queued or JobStatus.Running;
}
