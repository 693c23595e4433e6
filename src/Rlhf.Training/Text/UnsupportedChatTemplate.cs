namespace Rlhf.Training.Text;

/// <summary>A model whose chat template the platform cannot render: every use fails with <see cref="Reason"/>, never a stand-in template.</summary>
public sealed class UnsupportedChatTemplate(string reason) : IChatTemplate
{
    public string Reason { get; } = reason;

    public string Name => "unsupported";

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => throw new TokenizerException(Reason);
}
