using System.Text.Json;

namespace Rlhf.Training.Text;

/// <summary>
/// The fields of tokenizer_config.json the platform uses (Hugging Face names). Token fields may be a string or an
/// AddedToken object {"content": ...}; <see cref="ChatTemplate"/> also comes from chat_template.jinja when present.
/// </summary>
public sealed record TokenizerConfig(
    string? BosToken,
    string? EosToken,
    string? PadToken,
    bool? AddBosToken,
    bool? AddEosToken,
    string? TokenizerClass,
    bool CleanUpTokenizationSpaces,
    string? ChatTemplate)
{
    public const string FileName = "tokenizer_config.json";
    public const string TemplateFileName = "chat_template.jinja";

    public static readonly TokenizerConfig Empty = new(null, null, null, null, null, null, false, null);

    /// <summary>Reads the folder's tokenizer_config.json (and chat_template.jinja); <see cref="Empty"/> when absent.</summary>
    public static TokenizerConfig Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var config = Empty;
        if (File.Exists(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                config = FromJson(doc.RootElement);
            }
            catch (JsonException e)
            {
                throw new TokenizerException($"{path}: not valid JSON ({e.Message})");
            }
        }
        var templateFile = Path.Combine(folder, TemplateFileName);
        return File.Exists(templateFile) ? config with { ChatTemplate = File.ReadAllText(templateFile) } : config;
    }

    public static TokenizerConfig FromJson(JsonElement root) => new(
        Token(root, "bos_token"),
        Token(root, "eos_token"),
        Token(root, "pad_token"),
        Bool(root, "add_bos_token"),
        Bool(root, "add_eos_token"),
        root.TryGetProperty("tokenizer_class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null,
        Bool(root, "clean_up_tokenization_spaces") ?? false,
        Template(root));

    private static string? Token(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var content) => content.GetString(),
            _ => null,
        };
    }

    private static bool? Bool(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>A string, or a list of {"name","template"} of which the one named "default" is used.</summary>
    private static string? Template(JsonElement root)
    {
        if (!root.TryGetProperty("chat_template", out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind != JsonValueKind.Array) return null;
        foreach (var item in v.EnumerateArray())
        {
            if (item.TryGetProperty("name", out var name) && name.GetString() == "default")
                return item.GetProperty("template").GetString();
        }
        return null;
    }
}
