namespace Rlhf.Core.Jobs;

/// <summary>
/// Long work (reward runs, PPO runs, generation, large imports), stored in the database and claimed by a
/// runner with a lease and heartbeat.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }
    /// <summary>What the job does, e.g. "reward-run", "ppo-run", "generation", "import".</summary>
    public string Kind { get; set; } = "";
    public JobStatus Status { get; set; } = JobStatus.Queued;
    /// <summary>The job's input as JSON; its shape belongs to the job kind.</summary>
    public string PayloadJson { get; set; } = "{}";
    /// <summary>0..1.</summary>
    public double Progress { get; set; }
    public string? Message { get; set; }
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAtUtc { get; set; }
    public DateTime? HeartbeatAtUtc { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }
    public string? CreatedById { get; set; }
    /// <summary>The project the job works on or reads (imports, generation, reward and PPO runs); null for others.</summary>
    public int? ProjectId { get; set; }
}
