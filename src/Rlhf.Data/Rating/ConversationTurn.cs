namespace Rlhf.Data.Rating;

/// <summary>One message of a conversation prompt, shown as a chat bubble.</summary>
public sealed record ConversationTurn(string Role, string Content);
