using System.Text.Json;
using Rlhf.Training.Text;

namespace Rlhf.Training.Sft;

/// <summary>
/// Reads TRL's SFT data (JSON lines): prompt-completion {"prompt": str, "completion": str}, conversational
/// prompt-completion {"prompt": [messages], "completion": [messages]}, or conversational {"messages": [messages]}.
/// Blank lines are skipped. Every bad line is reported (a <see cref="SftDataException"/> listing them, "line 3: ..."):
/// not a JSON object, neither form, an empty completion, messages without an assistant turn or with an empty one.
/// The split group is the prompt (for messages: the turns before the first assistant turn).
/// </summary>
public static class SftDataFile
{
    public static IReadOnlyList<SftExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var examples = new List<SftExample>();
        var problems = new List<string>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                examples.Add(Parse(line, $"line {number}"));
            }
            catch (FormatException e)
            {
                problems.Add($"line {number}: {e.Message}");
            }
        }
        if (problems.Count > 0) throw new SftDataException(problems);
        if (examples.Count == 0) throw new SftDataException([$"{path}: the file has no examples"]);
        return examples;
    }

    /// <summary>One record; a <see cref="FormatException"/> saying what is wrong (without the line).</summary>
    public static SftExample Parse(string json, string? source = null)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FormatException($"not valid JSON ({e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object");
            if (root.TryGetProperty("messages", out var messages))
                return Conversation(Messages(messages, "messages"), source);
            if (!root.TryGetProperty("prompt", out var prompt) || !root.TryGetProperty("completion", out var completion))
                throw new FormatException("expected fields 'prompt' and 'completion', or 'messages' (TRL SFT data)");
            if (prompt.ValueKind == JsonValueKind.String && completion.ValueKind == JsonValueKind.String)
            {
                if (string.IsNullOrWhiteSpace(completion.GetString())) throw new FormatException("field 'completion' is empty");
                if (string.IsNullOrWhiteSpace(prompt.GetString())) throw new FormatException("field 'prompt' is empty");
                return SftExample.FromPromptCompletion(prompt.GetString()!, completion.GetString()!, source);
            }
            if (prompt.ValueKind == JsonValueKind.Array && completion.ValueKind == JsonValueKind.Array)
            {
                var answer = Messages(completion, "completion");
                if (answer.All(m => m.Role != ChatMessage.Assistant)) throw new FormatException("field 'completion' has no assistant message");
                return Conversation([.. Messages(prompt, "prompt"), .. answer], source);
            }
            throw new FormatException("fields 'prompt' and 'completion' must both be strings or both be lists of messages");
        }
    }

    /// <summary>Checks a conversation has an assistant turn, every assistant turn has text, and something comes before the first.</summary>
    public static SftExample Conversation(IReadOnlyList<ChatMessage> messages, string? source = null)
    {
        var first = messages.ToList().FindIndex(m => m.Role == ChatMessage.Assistant);
        if (first < 0) throw new FormatException("the messages have no assistant turn: there is nothing to learn");
        if (first == 0) throw new FormatException("the messages start with an assistant turn: it has no prompt");
        if (messages.Any(m => m.Role == ChatMessage.Assistant && string.IsNullOrWhiteSpace(m.Content)))
            throw new FormatException("an assistant turn is empty");
        var group = string.Join("\n", messages.Take(first).Select(m => $"{m.Role}: {m.Content}"));
        return new SftExample(messages, group, source);
    }

    private static IReadOnlyList<ChatMessage> Messages(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Array) throw new FormatException($"field '{field}' must be a list of {{\"role\", \"content\"}} messages");
        try
        {
            return ChatMessageJson.Parse(element.GetRawText());
        }
        catch (FormatException e)
        {
            throw new FormatException($"field '{field}': {e.Message.TrimEnd('.')}");
        }
    }
}
