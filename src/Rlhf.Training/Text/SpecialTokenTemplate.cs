using System.Text.Json;

namespace Rlhf.Training.Text;

/// <summary>
/// The ids the post-processor puts around one encoded text when add_special_tokens is on: tokenizer.json's
/// "TemplateProcessing" single template (Llama 3: [&lt;|begin_of_text|&gt;] + ids), "RobertaProcessing"/"BertProcessing"
/// (cls + ids + sep), "ByteLevel" or none (nothing), or a "Sequence" of these.
/// </summary>
public sealed record SpecialTokenTemplate(int[] Prefix, int[] Suffix)
{
    public static readonly SpecialTokenTemplate None = new([], []);

    public int[] Apply(List<int> ids) => [.. Prefix, .. ids, .. Suffix];

    public static SpecialTokenTemplate FromJson(JsonElement postProcessor)
    {
        if (postProcessor.ValueKind == JsonValueKind.Null) return None;
        var type = postProcessor.GetProperty("type").GetString();
        switch (type)
        {
            case "ByteLevel":
                return None;
            case "Sequence":
                var prefix = new List<int>();
                var suffix = new List<int>();
                foreach (var inner in postProcessor.GetProperty("processors").EnumerateArray())
                {
                    var t = FromJson(inner);
                    prefix.AddRange(t.Prefix);
                    suffix.InsertRange(0, t.Suffix);
                }
                return new SpecialTokenTemplate([.. prefix], [.. suffix]);
            case "TemplateProcessing":
                return FromTemplate(postProcessor);
            case "RobertaProcessing":
            case "BertProcessing":
                var cls = postProcessor.GetProperty("cls")[1].GetInt32();
                var sep = postProcessor.GetProperty("sep")[1].GetInt32();
                return new SpecialTokenTemplate([cls], [sep]);
            default:
                throw new TokenizerException($"tokenizer.json: post_processor type '{type}' is not supported.");
        }
    }

    private static SpecialTokenTemplate FromTemplate(JsonElement template)
    {
        var specialIds = template.GetProperty("special_tokens").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray());
        var prefix = new List<int>();
        var suffix = new List<int>();
        var seenSequence = false;
        foreach (var item in template.GetProperty("single").EnumerateArray())
        {
            if (item.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
            var name = item.GetProperty("SpecialToken").GetProperty("id").GetString()!;
            if (!specialIds.TryGetValue(name, out var ids))
                throw new TokenizerException($"tokenizer.json: post_processor uses '{name}', which is not in its special_tokens.");
            (seenSequence ? suffix : prefix).AddRange(ids);
        }
        return new SpecialTokenTemplate([.. prefix], [.. suffix]);
    }
}
