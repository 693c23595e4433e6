namespace Rlhf.Data.Exchange;

/// <summary>The two shapes of TRL SFT data.</summary>
public enum SftExportFormat
{
    /// <summary><c>{"prompt": "...", "completion": "..."}</c>; a conversation prompt in TRL's conversational prompt-completion form.</summary>
    PromptCompletion,
    /// <summary><c>{"messages": [..., {"role": "assistant", "content": "..."}]}</c>.</summary>
    Messages,
}
