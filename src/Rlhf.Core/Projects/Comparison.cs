namespace Rlhf.Core.Projects;

/// <summary>A prompt and two of its responses, A and B, to be rated by k raters.</summary>
public sealed class Comparison
{
    public long Id { get; set; }
    public int ProjectId { get; set; }
    public long PromptId { get; set; }
    public long ResponseAId { get; set; }
    public long ResponseBId { get; set; }
    /// <summary>Votes wanted: the project's k, raised by adaptive overlap when the first k disagree.</summary>
    public int RequiredVotes { get; set; } = 3;
    public DateTime CreatedAtUtc { get; set; }
}
