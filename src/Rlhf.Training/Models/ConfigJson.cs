using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Training.Checkpoints;

namespace Rlhf.Training.Models;

/// <summary>
/// Typed reads of config.json keys (GPT-2 and Llama-family configs). A key that is absent gives null; a key
/// of the wrong JSON type is a <see cref="CheckpointException"/> naming the file, the key and the value.
/// </summary>
internal static class ConfigJson
{
    public static JsonObject ParseObject(string json, string source)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new CheckpointException(source, "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(source, $"is not valid JSON ({OneLine(e.Message)})", e);
        }
    }

    public static string ReadFile(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "file not found");
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be read ({e.Message})", e);
        }
    }

    public static int? GetInt(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
            && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
            return (int)d;
        throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected an integer");
    }

    public static double? GetDouble(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)) return d;
        throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected a number");
    }

    public static bool? GetBool(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
        throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected true or false");
    }

    public static string? GetString(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected a string");
    }

    public static IReadOnlyList<string>? GetStrings(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonArray a && a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)))
            return a.Select(x => x!.GetValue<string>()).ToArray();
        throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected a list of strings");
    }

    /// <summary>An integer or a list of integers (eos_token_id in config.json and generation_config.json).</summary>
    public static IReadOnlyList<int>? GetIntOrInts(JsonObject obj, string key, string source)
    {
        var node = obj[key];
        if (node is null) return null;
        if (node is JsonArray a)
        {
            var result = new List<int>();
            foreach (var item in a)
            {
                if (item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)) result.Add(i);
                else throw new CheckpointException(source, $"{key} is {OneLine(node.ToJsonString())}, expected an integer or a list of integers");
            }
            return result;
        }
        return [GetInt(obj, key, source)!.Value];
    }

    public static string OneLine(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length > 80 ? s[..77] + "..." : s;
    }
}
