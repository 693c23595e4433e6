using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rlhf.Training.Text;

/// <summary>
/// tokenizer.json's "pre_tokenizer" for byte-level BPE: a chain of isolating regex splits (a "Split" with its pattern,
/// "Digits", and "ByteLevel" with use_regex = GPT-2's pattern), then optionally a prefix space. Qwen3 and Llama 3 use
/// Split(their pattern, Isolated) + ByteLevel(use_regex=false). Other pre-tokenizers are refused by name.
/// </summary>
public sealed class RegexPreTokenizer
{
    /// <summary>GPT-2's pattern, used by ByteLevel when use_regex is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly List<Regex> _splits;
    private readonly bool _addPrefixSpace;

    private RegexPreTokenizer(List<Regex> splits, bool addPrefixSpace)
    {
        _splits = splits;
        _addPrefixSpace = addPrefixSpace;
    }

    public static RegexPreTokenizer FromJson(JsonElement preTokenizer)
    {
        var splits = new List<Regex>();
        var addPrefixSpace = false;
        if (preTokenizer.ValueKind != JsonValueKind.Null) Add(preTokenizer, splits, ref addPrefixSpace);
        return new RegexPreTokenizer(splits, addPrefixSpace);
    }

    private static void Add(JsonElement step, List<Regex> splits, ref bool addPrefixSpace)
    {
        var type = step.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                foreach (var inner in step.GetProperty("pretokenizers").EnumerateArray()) Add(inner, splits, ref addPrefixSpace);
                break;
            case "Split":
                var behavior = step.GetProperty("behavior").GetString();
                if (behavior != "Isolated" || step.TryGetProperty("invert", out var invert) && invert.GetBoolean())
                    throw new TokenizerException($"tokenizer.json: pre_tokenizer Split with behavior '{behavior}' is not supported (only Isolated).");
                var pattern = step.GetProperty("pattern");
                splits.Add(pattern.TryGetProperty("Regex", out var regex)
                    ? Compile(regex.GetString()!)
                    : new Regex(Regex.Escape(pattern.GetProperty("String").GetString()!), RegexOptions.CultureInvariant));
                break;
            case "Digits":
                var individual = step.TryGetProperty("individual_digits", out var d) && d.GetBoolean();
                splits.Add(Compile(individual ? @"\p{N}" : @"\p{N}+"));
                break;
            case "ByteLevel":
                if (step.TryGetProperty("add_prefix_space", out var prefix) && prefix.GetBoolean()) addPrefixSpace = true;
                if (!step.TryGetProperty("use_regex", out var useRegex) || useRegex.GetBoolean()) splits.Add(Compile(Gpt2Pattern));
                break;
            default:
                throw new TokenizerException($"tokenizer.json: pre_tokenizer type '{type}' is not supported (byte-level BPE only).");
        }
    }

    // HF's patterns (Oniguruma syntax) use only constructs .NET shares: \p{L}, \p{N}, \s, (?i:...), (?!...).
    private static Regex Compile(string pattern) => new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>The pre-tokens of one piece of normalised text (not yet byte-level encoded).</summary>
    public List<string> Split(string text)
    {
        if (_addPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        var pieces = new List<string> { text };
        foreach (var regex in _splits)
        {
            var next = new List<string>(pieces.Count * 2);
            foreach (var piece in pieces) SplitIsolated(regex, piece, next);
            pieces = next;
        }
        return pieces;
    }

    /// <summary>Each match is a piece, and so is the text between matches.</summary>
    private static void SplitIsolated(Regex regex, string text, List<string> output)
    {
        var last = 0;
        for (var match = regex.Match(text); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            if (match.Index > last) output.Add(text[last..match.Index]);
            output.Add(match.Value);
            last = match.Index + match.Length;
        }
        if (last < text.Length) output.Add(text[last..]);
    }
}
