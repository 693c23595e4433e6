namespace Rlhf.Core.Demonstrations;

/// <summary>
/// Gold for a demonstration prompt: the researcher's reference reply, shown to researchers next to the raters'
/// demonstrations (never to raters, never exported as a rater's).
/// </summary>
public sealed class ReferenceDemonstration
{
    public long PromptId { get; set; }
    public string Text { get; set; } = "";
    public string? WrittenById { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
}
