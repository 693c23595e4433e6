namespace Rlhf.Core.Jobs;

/// <summary>A line of a job's log, shown on its page.</summary>
public sealed class JobLogEntry
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public DateTime AtUtc { get; set; }
    /// <summary>"info", "warning" or "error".</summary>
    public string Level { get; set; } = "info";
    public string Message { get; set; } = "";
}
