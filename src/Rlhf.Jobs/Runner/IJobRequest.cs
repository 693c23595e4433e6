namespace Rlhf.Jobs.Runner;

/// <summary>A job's payload that can check itself: what is wrong with it, as sentences for the user (empty when usable).</summary>
public interface IJobRequest
{
    IReadOnlyList<string> Validate();
}
