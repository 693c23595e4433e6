using System.Text.Json;

namespace Rlhf.Data.Rating;

/// <summary>One message of a conversation prompt, shown as a chat bubble.</summary>
public sealed record ConversationTurn(string Role, string Content)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A prompt's stored messages as turns; null for a plain-text prompt.</summary>
    public static IReadOnlyList<ConversationTurn>? FromJson(string? messagesJson) =>
        messagesJson is null ? null : JsonSerializer.Deserialize<List<ConversationTurn>>(messagesJson, Json);
}
