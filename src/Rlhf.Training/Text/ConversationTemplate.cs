using System.Text;

namespace Rlhf.Training.Text;

/// <summary>
/// The plain-text conversation template used for every GPT-2 model of the platform (GPT-2 has no chat
/// tokens, so the template is ordinary text).
/// <para>Rules:</para>
/// <list type="bullet">
/// <item>Each message is one block "{Speaker}: {content}" where Speaker is "System", "User" or
/// "Assistant" and content is trimmed (inner newlines are kept). Blocks are joined with "\n".</item>
/// <item>A prompt for the next assistant turn ends with "\nAssistant:" (no trailing space), so the model's
/// reply naturally starts with a space token: a single plain prompt P renders as "User: {P}\nAssistant:".</item>
/// <item>The form the reward model scores is prompt + " " + response.Trim():
/// "User: {P}\nAssistant: {R}". For a response sampled from the policy (which starts with a space),
/// this is the same text as prompt + response.</item>
/// </list>
/// Example: [system "Be brief.", user "Hi", assistant "Hello!", user "Name a colour"] renders as
/// "System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Name a colour\nAssistant:".
/// </summary>
public static class ConversationTemplate
{
    public const string SystemSpeaker = "System";
    public const string UserSpeaker = "User";
    public const string AssistantSpeaker = "Assistant";

    /// <summary>The suffix every prompt ends with: "\nAssistant:" (or "Assistant:" alone at the start).</summary>
    public const string AssistantCue = AssistantSpeaker + ":";

    /// <summary>"User: {prompt}\nAssistant:"</summary>
    public static string RenderPrompt(string prompt) => Render([ChatMessage.FromUser(prompt)]);

    /// <summary>The messages followed by "\nAssistant:", ready for the model to write the next reply.</summary>
    public static string Render(IReadOnlyList<ChatMessage> messages) => Blocks(messages).Append(AssistantCue).ToString();

    /// <summary>The messages alone, without the assistant cue: "User: Hi\nAssistant: Hello!".</summary>
    public static string RenderMessages(IReadOnlyList<ChatMessage> messages)
    {
        var sb = Blocks(messages);
        return sb.ToString(0, sb.Length - 1);
    }

    /// <summary>Each message as "{Speaker}: {content}\n".</summary>
    private static StringBuilder Blocks(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("a conversation needs at least one message", nameof(messages));
        var sb = new StringBuilder();
        foreach (var m in messages)
        {
            sb.Append(Speaker(m.Role)).Append(": ").Append((m.Content ?? "").Trim()).Append('\n');
        }
        return sb;
    }

    /// <summary>"User: {prompt}\nAssistant: {response}", the text the reward model scores.</summary>
    public static string RenderWithResponse(string prompt, string response)
        => RenderWithResponse([ChatMessage.FromUser(prompt)], response);

    /// <summary><see cref="Render"/> of the messages, then " " + the trimmed response.</summary>
    public static string RenderWithResponse(IReadOnlyList<ChatMessage> messages, string response)
        => Render(messages) + " " + (response ?? "").Trim();

    private static string Speaker(string role) => role?.Trim().ToLowerInvariant() switch
    {
        ChatMessage.System => SystemSpeaker,
        ChatMessage.User => UserSpeaker,
        ChatMessage.Assistant => AssistantSpeaker,
        _ => throw new ArgumentException($"unknown role '{role}' (expected system, user or assistant)"),
    };
}
