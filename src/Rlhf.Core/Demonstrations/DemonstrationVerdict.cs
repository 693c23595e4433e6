namespace Rlhf.Core.Demonstrations;

/// <summary>A review of a demonstration. With review on, only <see cref="Accepted"/> ones count (are exported, trained on).</summary>
public enum DemonstrationVerdict
{
    /// <summary>Not reviewed yet.</summary>
    Pending = 0,
    Accepted = 1,
    NeedsWork = 2,
    Rejected = 3,
}
