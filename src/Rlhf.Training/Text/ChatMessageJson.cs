using System.Text.Json;

namespace Rlhf.Training.Text;

/// <summary>Reads a conversation given as a JSON array of {"role": ..., "content": ...} objects (Hugging Face's messages form).</summary>
public static class ChatMessageJson
{
    /// <summary>The messages; a <see cref="FormatException"/> with a one-line reason for anything else.</summary>
    public static ChatMessage[] Parse(string json)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FormatException($"not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new FormatException("expected a JSON array of {\"role\", \"content\"} objects.");
            var messages = new List<ChatMessage>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                var number = messages.Count + 1;
                if (item.ValueKind != JsonValueKind.Object) throw new FormatException($"message {number} is not a {{\"role\", \"content\"}} object.");
                messages.Add(new ChatMessage(Field(item, "role", number), Field(item, "content", number)));
            }
            if (messages.Count == 0) throw new FormatException("the array has no messages.");
            return [.. messages];
        }
    }

    private static string Field(JsonElement item, string name, int number)
        => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"message {number} has no \"{name}\" string.");
}
