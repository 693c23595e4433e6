namespace Rlhf.Training.Text;

/// <summary>The roles the native chat templates render; anything else (tools, custom roles) is refused.</summary>
internal static class ChatRoles
{
    public static void Check(IReadOnlyList<ChatMessage> messages, string template)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new TokenizerException("a conversation needs at least one message.");
        foreach (var m in messages)
        {
            if (m.Role is not (ChatMessage.System or ChatMessage.User or ChatMessage.Assistant))
                throw new TokenizerException($"the {template} chat template takes roles system, user and assistant, not '{m.Role}'.");
            if (m.Content is null) throw new TokenizerException($"a {m.Role} message has no content.");
        }
    }
}
