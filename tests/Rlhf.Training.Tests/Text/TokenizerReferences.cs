using System.Text.Json;
using Rlhf.Training.Text;

namespace Rlhf.Training.Tests.Text;

/// <summary>
/// Text/References: the real Qwen3 and Llama 3 tokenizer files and references.json (ids from transformers.js, chat
/// renderings from @huggingface/jinja), made by make-references.mjs.
/// </summary>
internal static class TokenizerReferences
{
    public static string Folder(string model) => Path.Combine(AppContext.BaseDirectory, "Text", "References", model);

    private static readonly Lazy<JsonElement> Root = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Text", "References", "references.json")));
        return doc.RootElement.Clone();
    });

    private static readonly Dictionary<string, HfTokenizer> Loaded = [];

    public static JsonElement For(string section) => Root.Value.GetProperty(section);

    public static HfTokenizer Tokenizer(string model)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(model, out var tokenizer)) Loaded[model] = tokenizer = HfTokenizer.Load(Folder(model));
            return tokenizer;
        }
    }

    public static int[] Ids(JsonElement array) => array.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    /// <summary>One row per reference text: (section, index) for xunit's MemberData.</summary>
    public static IEnumerable<object[]> EncodingRows(string section)
        => Enumerable.Range(0, For(section).GetProperty("encodings").GetArrayLength()).Select(i => new object[] { section, i });

    public static IEnumerable<object[]> ChatRows(string section)
        => Enumerable.Range(0, For(section).GetProperty("chats").GetArrayLength()).Select(i => new object[] { section, i });

    public static ChatMessage[] Messages(JsonElement chat)
        => chat.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToArray();
}
