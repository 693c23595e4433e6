namespace Rlhf.Core.Projects;

/// <summary>A candidate answer to a prompt, with what produced it (never shown to raters).</summary>
public sealed class Response
{
    public long Id { get; set; }
    public long PromptId { get; set; }
    public string Text { get; set; } = "";
    /// <summary>"model:{name}" for generated responses, "imported" or an import's own source label.</summary>
    public string Source { get; set; } = "imported";
    /// <summary>The registry model that generated it, when one did.</summary>
    public int? ModelId { get; set; }
    /// <summary>Generation stopped at its token limit before the model ended the reply: the text may end mid-sentence.</summary>
    public bool CutOff { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}
