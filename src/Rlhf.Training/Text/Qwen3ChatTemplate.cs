using System.Text;

namespace Rlhf.Training.Text;

/// <summary>
/// Qwen3's chat template (ChatML plus &lt;think&gt; handling) for plain system/user/assistant messages:
/// <list type="bullet">
/// <item>an assistant message after the last user message gets its reasoning as "&lt;think&gt;\n{reasoning}\n&lt;/think&gt;\n\n"
/// in front when it is the last message or has reasoning (empty reasoning when the content has no "&lt;/think&gt;");</item>
/// <item>earlier assistant messages keep only the text after "&lt;/think&gt;";</item>
/// <item>the generation prompt is "&lt;|im_start|&gt;assistant\n" (thinking on: enable_thinking is not set).</item>
/// </list>
/// Tools and tool messages are not supported (refused).
/// </summary>
public sealed class Qwen3ChatTemplate : IChatTemplate
{
    public static readonly Qwen3ChatTemplate Instance = new();

    public string Name => "qwen3";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ChatRoles.Check(messages, Name);
        var text = new StringBuilder();
        if (messages[0].Role == ChatMessage.System) ChatMlTemplate.Block(text, ChatMessage.System, messages[0].Content);

        // The last user message (the template also skips "<tool_response>" turns, which plain messages cannot be).
        var lastQueryIndex = messages.Count - 1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var c = messages[i].Content;
            if (messages[i].Role == ChatMessage.User && !(c.StartsWith("<tool_response>", StringComparison.Ordinal) && c.EndsWith("</tool_response>", StringComparison.Ordinal)))
            {
                lastQueryIndex = i;
                break;
            }
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role == ChatMessage.User || (m.Role == ChatMessage.System && i > 0))
            {
                ChatMlTemplate.Block(text, m.Role, m.Content);
                continue;
            }
            if (m.Role != ChatMessage.Assistant) continue;

            var content = m.Content;
            var reasoning = "";
            if (content.Contains("</think>", StringComparison.Ordinal))
            {
                content = AfterLast(m.Content, "</think>").TrimStart('\n');
                reasoning = AfterLast(m.Content[..m.Content.IndexOf("</think>", StringComparison.Ordinal)].TrimEnd('\n'), "<think>").TrimStart('\n');
            }
            text.Append("<|im_start|>assistant\n");
            if (i > lastQueryIndex && (i == messages.Count - 1 || reasoning.Length > 0))
                text.Append("<think>\n").Append(reasoning.Trim('\n')).Append("\n</think>\n\n").Append(content.TrimStart('\n'));
            else
                text.Append(content);
            text.Append("<|im_end|>\n");
        }
        if (addGenerationPrompt) text.Append("<|im_start|>assistant\n");
        return text.ToString();
    }

    /// <summary>Python's s.split(separator)[-1].</summary>
    private static string AfterLast(string s, string separator)
    {
        var at = s.LastIndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? s : s[(at + separator.Length)..];
    }
}
