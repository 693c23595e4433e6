namespace Rlhf.Training.Text;

/// <summary>The GPT-2 demo template "User: ...\nAssistant:" (<see cref="ConversationTemplate"/>) behind <see cref="IChatTemplate"/>.</summary>
public sealed class Gpt2ChatTemplate : IChatTemplate
{
    public static readonly Gpt2ChatTemplate Instance = new();

    public string Name => "gpt2-demo";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
        => addGenerationPrompt ? ConversationTemplate.Render(messages) : ConversationTemplate.RenderMessages(messages);
}
