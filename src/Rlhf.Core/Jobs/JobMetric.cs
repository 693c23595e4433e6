namespace Rlhf.Core.Jobs;

/// <summary>One logged number of a job at a step (named as TRL names it, e.g. "objective/kl", "eval/accuracy").</summary>
public sealed class JobMetric
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long Step { get; set; }
    public string Name { get; set; } = "";
    public double Value { get; set; }
    public DateTime AtUtc { get; set; }
}
