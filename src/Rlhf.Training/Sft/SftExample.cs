using Rlhf.Training.Text;

namespace Rlhf.Training.Sft;

/// <summary>
/// One demonstration: a conversation whose assistant turns are the targets (a prompt-completion record is
/// [user prompt, assistant completion]). <paramref name="Group"/> is the validation-split key (the prompt: no prompt has
/// examples on both sides); <paramref name="Source"/> names where it came from in messages ("line 3"), or null.
/// </summary>
public sealed record SftExample(IReadOnlyList<ChatMessage> Messages, string Group, string? Source = null)
{
    /// <summary>[user prompt, assistant completion], grouped by the prompt.</summary>
    public static SftExample FromPromptCompletion(string prompt, string completion, string? source = null) =>
        new([ChatMessage.FromUser(prompt), ChatMessage.FromAssistant(completion)], prompt, source);

    /// <summary>The messages before the first assistant turn: what the model is asked (the samples' prompt).</summary>
    public IReadOnlyList<ChatMessage> Prompt => Messages.TakeWhile(m => m.Role != ChatMessage.Assistant).ToList();

    /// <summary>"line 3: " or "example 4: " for messages about this example (0-based <paramref name="index"/>).</summary>
    public string Where(int index) => $"{Source ?? $"example {index + 1}"}: ";
}
