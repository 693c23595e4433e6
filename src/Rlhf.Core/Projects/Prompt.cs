namespace Rlhf.Core.Projects;

/// <summary>
/// What the models answer: plain text, or a conversation (a JSON list of {role, content}) rendered with the
/// platform's conversation template.
/// </summary>
public sealed class Prompt
{
    public long Id { get; set; }
    public int ProjectId { get; set; }
    public string Text { get; set; } = "";
    /// <summary>The conversation as JSON [{"role":..,"content":..}], or null for a plain prompt.</summary>
    public string? MessagesJson { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}
