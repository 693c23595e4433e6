using System.Text;

namespace Rlhf.Training.Text;

/// <summary>
/// ChatML (Qwen2, Qwen2.5-style and SmolLM2 templates): every message is "&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n",
/// the generation prompt is "&lt;|im_start|&gt;assistant\n". With a <see cref="DefaultSystemPrompt"/>, a conversation that
/// does not start with a system message gets "&lt;|im_start|&gt;system\n{default}&lt;|im_end|&gt;\n" first.
/// </summary>
public sealed class ChatMlTemplate(string? defaultSystemPrompt) : IChatTemplate
{
    public string? DefaultSystemPrompt { get; } = defaultSystemPrompt;

    public string Name => "chatml";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatRoles.Check(messages, Name);
        var text = new StringBuilder();
        if (DefaultSystemPrompt is not null && messages[0].Role != ChatMessage.System)
            Block(text, ChatMessage.System, DefaultSystemPrompt);
        foreach (var m in messages) Block(text, m.Role, m.Content);
        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }

    internal static void Block(StringBuilder text, string role, string content)
        => text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
}
