namespace Rlhf.Training.Text;

/// <summary>
/// Turns a conversation into the model's prompt text, exactly as Hugging Face's
/// <c>apply_chat_template(messages, tokenize=False, add_generation_prompt=...)</c> renders the model's chat_template.
/// Tokenize the result with add_special_tokens off (the template already holds bos etc.).
/// </summary>
public interface IChatTemplate
{
    /// <summary>The family, e.g. "qwen3", "chatml", "llama3", "gpt2-demo".</summary>
    string Name { get; }

    /// <summary>
    /// The text of <paramref name="messages"/> (roles system/user/assistant); with <paramref name="addGenerationPrompt"/>
    /// it ends with the cue for the next assistant reply. Throws <see cref="TokenizerException"/> when the template cannot
    /// be rendered for this model.
    /// </summary>
    string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);
}
