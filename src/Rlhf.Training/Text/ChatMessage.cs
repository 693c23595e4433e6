namespace Rlhf.Training.Text;

/// <summary>One turn of a conversation. <paramref name="Role"/> is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content)
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";

    public static ChatMessage FromUser(string content) => new(User, content);

    public static ChatMessage FromAssistant(string content) => new(Assistant, content);

    public static ChatMessage FromSystem(string content) => new(System, content);
}
