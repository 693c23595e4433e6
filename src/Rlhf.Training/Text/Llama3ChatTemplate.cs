using System.Text;

namespace Rlhf.Training.Text;

/// <summary>
/// Llama 3's chat template: bos_token, then per message "&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content
/// trimmed}&lt;|eot_id|&gt;", then "&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n" — always in Meta's first
/// release (<see cref="AlwaysAddsGenerationPrompt"/>), only with add_generation_prompt in the later one.
/// </summary>
public sealed class Llama3ChatTemplate(string bosToken, bool alwaysAddsGenerationPrompt) : IChatTemplate
{
    public string BosToken { get; } = bosToken;

    public bool AlwaysAddsGenerationPrompt { get; } = alwaysAddsGenerationPrompt;

    public string Name => "llama3";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatRoles.Check(messages, Name);
        var text = new StringBuilder(BosToken);
        foreach (var m in messages)
            text.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n").Append(m.Content.Trim()).Append("<|eot_id|>");
        if (addGenerationPrompt || AlwaysAddsGenerationPrompt) text.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return text.ToString();
    }
}
