namespace Rlhf.Core.Telemetry;

/// <summary>What the operations gauges show, read from the database at one moment.</summary>
public sealed record OperationsSample(long OpenLeases, long QueuedJobs, long RunningJobs, double OldestQueuedAgeSeconds, DateTime AtUtc);
