using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rlhf.Data.Exchange;

/// <summary>One good record, ready to write: a prompt, its distinct candidate responses, and whether it is a preference.</summary>
internal sealed class ImportItem
{
    public long Line { get; init; }
    public string PromptText { get; init; } = "";
    public string? MessagesJson { get; init; }
    /// <summary>Distinct (by trimmed text) candidates in file order; for a preference: [chosen, rejected].</summary>
    public List<(string Text, string Source)> Responses { get; } = [];
    public int DuplicatesDropped { get; set; }
    public bool IsPreference { get; init; }
}

/// <summary>A record that is not imported: an error (the line is bad) or a warning (skipped on purpose).</summary>
internal sealed class RecordProblem(string? field, string message, bool isWarning = false) : Exception(message)
{
    public string? Field { get; } = field;
    public bool IsWarning { get; } = isWarning;
}

/// <summary>One message of a conversation as stored in Prompt.MessagesJson.</summary>
internal readonly record struct Turn(string Role, string Content);

/// <summary>Turns one JSONL line or CSV row into an <see cref="ImportItem"/>, or throws a <see cref="RecordProblem"/> naming the field.</summary>
internal static class RecordParser
{
    private static readonly string[] Roles = ["system", "user", "assistant"];
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private const string UnpairedSurrogate = "an unpaired surrogate escape (\\ud800-\\udfff), which is not text";

    public const string ExpectedJsonShapes =
        "expected {\"prompt\": ...}, {\"messages\": [...]}, {\"prompt\": ..., \"responses\": [...]} or {\"prompt\": ..., \"chosen\": ..., \"rejected\": ...}";

    // ---------------------------------------------------------------- JSONL

    public static ImportItem FromJson(long line, string text, string defaultSource, int maxResponses = int.MaxValue)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new RecordProblem(null, $"invalid JSON ({Describe(ex)})");
        }
        catch (InvalidOperationException)
        {
            // Checking for duplicate keys unescapes every key; a key with a lone surrogate cannot be.
            throw new RecordProblem(null, $"a key holds {UnpairedSurrogate}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new RecordProblem(null, $"expected a JSON object, found {Kind(root)}");

            var hasPrompt = root.TryGetProperty("prompt", out var prompt);
            var hasMessages = root.TryGetProperty("messages", out var messages);
            var hasResponses = root.TryGetProperty("responses", out var responses);
            var hasChosen = root.TryGetProperty("chosen", out var chosen);
            var hasRejected = root.TryGetProperty("rejected", out var rejected);

            if (hasPrompt && hasMessages) throw new RecordProblem("messages", "give either field 'prompt' or field 'messages', not both");
            if (!hasPrompt && !hasMessages)
                throw new RecordProblem("prompt", $"missing field 'prompt' ({ExpectedJsonShapes})");
            if (hasResponses && (hasChosen || hasRejected))
                throw new RecordProblem("responses", "give either field 'responses' or fields 'chosen' and 'rejected', not both");

            var (promptText, messagesJson) = hasPrompt ? PromptFrom(prompt, "prompt") : PromptFrom(messages, "messages", listOnly: true);
            if (hasChosen || hasRejected)
            {
                if (!hasChosen) throw new RecordProblem("chosen", "missing field 'chosen'");
                if (!hasRejected) throw new RecordProblem("rejected", "missing field 'rejected'");
                return Preference(line, promptText, messagesJson, CompletionFrom(chosen, "chosen"), CompletionFrom(rejected, "rejected"), defaultSource);
            }

            var item = new ImportItem { Line = line, PromptText = promptText, MessagesJson = messagesJson };
            if (hasResponses)
            {
                if (responses.ValueKind != JsonValueKind.Array)
                    throw new RecordProblem("responses", $"field 'responses' must be a list, not {Kind(responses)}");
                if (responses.GetArrayLength() == 0) throw new RecordProblem("responses", "field 'responses' is an empty list");
                CheckResponseCount(responses.GetArrayLength(), maxResponses, "responses");
                var i = 0;
                foreach (var r in responses.EnumerateArray())
                {
                    var name = $"responses[{i++}]";
                    string responseText;
                    string? source = null;
                    if (r.ValueKind == JsonValueKind.String) responseText = Text(r, name);
                    else if (r.ValueKind == JsonValueKind.Object)
                    {
                        if (!r.TryGetProperty("text", out var t)) throw new RecordProblem($"{name}.text", $"missing field '{name}.text'");
                        responseText = String(t, $"{name}.text");
                        if (r.TryGetProperty("source", out var s) && s.ValueKind != JsonValueKind.Null)
                            source = String(s, $"{name}.source");
                    }
                    else throw new RecordProblem(name, $"field '{name}' must be an object {{\"text\": ..., \"source\": ...}} or a string, not {Kind(r)}");
                    AddCandidate(item, responseText, source, defaultSource, $"{name}.source", r.ValueKind == JsonValueKind.Object ? $"{name}.text" : name);
                }
            }
            return item;
        }
    }

    private static (string Text, string? MessagesJson) PromptFrom(JsonElement value, string field, bool listOnly = false)
    {
        if (value.ValueKind == JsonValueKind.String && !listOnly)
        {
            var text = Text(value, field);
            if (string.IsNullOrWhiteSpace(text)) throw new RecordProblem(field, $"field '{field}' is empty");
            return (text, null);
        }
        if (value.ValueKind != JsonValueKind.Array)
            throw new RecordProblem(field, listOnly
                ? $"field '{field}' must be a list of {{\"role\", \"content\"}} messages, not {Kind(value)}"
                : $"field '{field}' must be a string or a list of {{\"role\", \"content\"}} messages, not {Kind(value)}");
        var turns = Messages(value, field);
        if (turns.All(t => string.IsNullOrWhiteSpace(t.Content))) throw new RecordProblem(field, $"field '{field}' has no message with content");
        var lastUser = turns.LastOrDefault(t => t.Role == "user");
        var text2 = lastUser.Role is not null && !string.IsNullOrWhiteSpace(lastUser.Content)
            ? lastUser.Content
            : string.Join("\n", turns.Select(t => $"{t.Role}: {t.Content}"));
        return (text2, MessagesJson(turns));
    }

    /// <summary>A chosen/rejected value: a string, or a list of messages whose assistant contents (joined by a blank line) are the response.</summary>
    private static string CompletionFrom(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = Text(value, field);
            if (string.IsNullOrWhiteSpace(text)) throw new RecordProblem(field, $"field '{field}' is empty");
            return text;
        }
        if (value.ValueKind != JsonValueKind.Array)
            throw new RecordProblem(field, $"field '{field}' must be a string or a list of {{\"role\", \"content\"}} messages, not {Kind(value)}");
        var turns = Messages(value, field);
        var assistant = turns.Where(t => t.Role == "assistant").Select(t => t.Content).ToList();
        if (assistant.Count == 0) throw new RecordProblem(field, $"field '{field}' has no assistant message");
        var joined = string.Join("\n\n", assistant);
        if (string.IsNullOrWhiteSpace(joined)) throw new RecordProblem(field, $"field '{field}' is empty");
        return joined;
    }

    private static List<Turn> Messages(JsonElement list, string field)
    {
        var turns = new List<Turn>();
        var i = 0;
        foreach (var m in list.EnumerateArray())
        {
            var name = $"{field}[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
                throw new RecordProblem(name, $"field '{name}' must be an object {{\"role\": ..., \"content\": ...}}, not {Kind(m)}");
            if (!m.TryGetProperty("role", out var role)) throw new RecordProblem($"{name}.role", $"missing field '{name}.role'");
            if (!m.TryGetProperty("content", out var content)) throw new RecordProblem($"{name}.content", $"missing field '{name}.content'");
            var r = String(role, $"{name}.role").Trim().ToLowerInvariant();
            if (!Roles.Contains(r)) throw new RecordProblem($"{name}.role", $"field '{name}.role' must be system, user or assistant, not '{Clip(role.GetString()!)}'");
            turns.Add(new Turn(r, String(content, $"{name}.content")));
        }
        if (turns.Count == 0) throw new RecordProblem(field, $"field '{field}' is an empty list");
        return turns;
    }

    private static string String(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.String
            ? Text(value, field)
            : throw new RecordProblem(field, $"field '{field}' must be a string, not {Kind(value)}");

    /// <summary>
    /// A JSON string's text. An unpaired surrogate escape ("\ud800") is valid JSON but not text (.NET refuses to read
    /// it as a string): it is a problem of the record, naming the field.
    /// </summary>
    private static string Text(JsonElement value, string field)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new RecordProblem(field, $"field '{field}' holds {UnpairedSurrogate}");
        }
    }

    // ---------------------------------------------------------------- CSV

    /// <summary>The columns a CSV header names.</summary>
    internal sealed record CsvLayout(int Prompt, IReadOnlyList<(int Text, int? Source)> Responses, int? Chosen, int? Rejected, int Width);

    public const string ExpectedCsvColumns =
        "expected columns: prompt, then either response_1..response_n (each with an optional source_i) or chosen, rejected";

    public static CsvLayout CsvHeader(IReadOnlyList<string> header)
    {
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToList();
        int? prompt = null, chosen = null, rejected = null;
        var responses = new SortedDictionary<int, int>();
        var sources = new Dictionary<int, int>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (names.IndexOf(name) != i) throw new RecordProblem(name, $"column '{header[i].Trim()}' appears twice; {ExpectedCsvColumns}");
            if (name == "prompt") prompt = i;
            else if (name == "chosen") chosen = i;
            else if (name == "rejected") rejected = i;
            else if (Numbered(name, "response_") is { } r) responses[r] = i;
            else if (Numbered(name, "source_") is { } s) sources[s] = i;
            else throw new RecordProblem(name, name.Length == 0
                ? $"column {i + 1} has no name; {ExpectedCsvColumns}"
                : $"unknown column '{Clip(header[i].Trim())}'; {ExpectedCsvColumns}");
        }
        if (prompt is null) throw new RecordProblem("prompt", $"missing column 'prompt'; {ExpectedCsvColumns}");
        if ((chosen is null) != (rejected is null))
            throw new RecordProblem(chosen is null ? "chosen" : "rejected", $"missing column '{(chosen is null ? "chosen" : "rejected")}'; {ExpectedCsvColumns}");
        if (chosen is not null && responses.Count > 0)
            throw new RecordProblem("chosen", $"give either response_i columns or chosen, rejected, not both; {ExpectedCsvColumns}");
        foreach (var s in sources.Keys)
            if (!responses.ContainsKey(s)) throw new RecordProblem($"source_{s}", $"column 'source_{s}' has no column 'response_{s}'; {ExpectedCsvColumns}");
        var pairs = responses.Select(kv => (kv.Value, sources.TryGetValue(kv.Key, out var si) ? si : (int?)null)).ToList();
        return new CsvLayout(prompt.Value, pairs, chosen, rejected, header.Count);
    }

    public static ImportItem FromCsv(long line, IReadOnlyList<string> fields, CsvLayout layout, IReadOnlyList<string> header, string defaultSource, int maxResponses = int.MaxValue)
    {
        if (fields.Count != layout.Width)
            throw new RecordProblem(null, $"expected {layout.Width} fields (as in the header), found {fields.Count}");
        var prompt = fields[layout.Prompt];
        if (string.IsNullOrWhiteSpace(prompt)) throw new RecordProblem("prompt", "field 'prompt' is empty");
        if (layout.Chosen is { } c && layout.Rejected is { } r)
        {
            if (string.IsNullOrWhiteSpace(fields[c])) throw new RecordProblem("chosen", "field 'chosen' is empty");
            if (string.IsNullOrWhiteSpace(fields[r])) throw new RecordProblem("rejected", "field 'rejected' is empty");
            return Preference(line, prompt, null, fields[c], fields[r], defaultSource);
        }
        CheckResponseCount(layout.Responses.Count(r => !string.IsNullOrWhiteSpace(fields[r.Text])), maxResponses, "response_1");
        var item = new ImportItem { Line = line, PromptText = prompt };
        foreach (var (text, source) in layout.Responses)
        {
            var name = header[text].Trim();
            if (string.IsNullOrWhiteSpace(fields[text]))
            {
                if (source is { } s0 && !string.IsNullOrWhiteSpace(fields[s0]))
                    throw new RecordProblem(name, $"field '{name}' is empty but its source is given");
                continue; // a shorter row: fewer candidates
            }
            var src = source is { } s && !string.IsNullOrWhiteSpace(fields[s]) ? fields[s] : null;
            AddCandidate(item, fields[text], src, defaultSource, source is { } s1 ? header[s1].Trim() : name, name);
        }
        return item;
    }

    private static int? Numbered(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, null, out var n) && n >= 1
            ? n : null;

    // ---------------------------------------------------------------- shared

    private static ImportItem Preference(long line, string prompt, string? messagesJson, string chosen, string rejected, string defaultSource)
    {
        if (chosen.Trim() == rejected.Trim())
            throw new RecordProblem("rejected", "fields 'chosen' and 'rejected' are identical; the record is skipped", isWarning: true);
        var item = new ImportItem { Line = line, PromptText = prompt, MessagesJson = messagesJson, IsPreference = true };
        item.Responses.Add((chosen, defaultSource));
        item.Responses.Add((rejected, defaultSource));
        return item;
    }

    /// <summary>A record may give at most <paramref name="max"/> candidates: all pairs of n are n(n-1)/2 comparisons.</summary>
    private static void CheckResponseCount(int count, int max, string field)
    {
        if (count > max)
            throw new RecordProblem(field, $"{count} responses for one prompt; at most {max} are accepted (setting {ImportSettings.Section}:{nameof(ImportSettings.MaxResponsesPerPrompt)})");
    }

    private static void AddCandidate(ImportItem item, string text, string? source, string defaultSource, string sourceField, string textField)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new RecordProblem(textField, $"field '{textField}' is empty");
        if (source is not null)
        {
            source = source.Trim();
            if (source.Length == 0) source = null;
            else if (source.Length > ImportLimits.MaxSourceLength)
                throw new RecordProblem(sourceField, $"field '{sourceField}' is longer than {ImportLimits.MaxSourceLength} characters");
        }
        var key = text.Trim();
        if (item.Responses.Any(r => string.Equals(r.Text.Trim(), key, StringComparison.Ordinal))) { item.DuplicatesDropped++; return; }
        item.Responses.Add((text, source ?? defaultSource));
    }

    public static string MessagesJson(IReadOnlyList<Turn> turns)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            writer.WriteStartArray();
            foreach (var t in turns)
            {
                writer.WriteStartObject();
                writer.WriteString("role", t.Role);
                writer.WriteString("content", t.Content);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        message = message.TrimEnd('.', ' ');
        return ex.BytePositionInLine is { } at ? $"at byte {at + 1}: {message}" : message;
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
