namespace Rlhf.Data.Exchange;

/// <summary>
/// One TRL preference record of a file: the prompt as the importer stores it (a conversation's text in
/// <see cref="Prompt"/> and its messages in <see cref="MessagesJson"/>), the chosen and the rejected completion.
/// </summary>
public sealed record TrlPreference(long Line, string Prompt, string? MessagesJson, string Chosen, string Rejected);
