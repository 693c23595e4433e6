using System.Text;
using System.Text.Json;

namespace Rlhf.Training.Text;

/// <summary>
/// A Hugging Face tokenizer.json with a byte-level BPE model (Llama 3, Qwen2/Qwen3, SmolLM2, GPT-2 exports), giving the
/// same ids as <c>tokenizer(text)</c> in transformers. Encoding, as Hugging Face's tokenizers library does it:
/// <list type="number">
/// <item>cut the text at added tokens ("&lt;|im_end|&gt;" is one id, never split);</item>
/// <item>normalise the rest (NFC, when tokenizer.json's normalizer says so);</item>
/// <item>pre-tokenize with the tokenizer's regex, map UTF-8 bytes to byte-level characters, apply the BPE merges;</item>
/// <item>with add_special_tokens, add what the post-processor adds (tokenizer_config.json's add_bos_token/add_eos_token
/// rebuild it for Llama-class tokenizers, as transformers does).</item>
/// </list>
/// Anything else in tokenizer.json (WordPiece, Unigram, Metaspace, other normalisers) is refused with a clear error.
/// </summary>
public sealed class HfTokenizer : ITextTokenizer
{
    public const string FileName = "tokenizer.json";

    private static readonly HashSet<string> LlamaClasses =
        ["LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"];

    private readonly BytePairModel _model;
    private readonly RegexPreTokenizer _preTokenizer;
    private readonly bool _nfc;
    private readonly AddedTokenSplitter _rawSplitter;
    private readonly AddedTokenSplitter _normalizedSplitter;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<int, string> _idToToken;
    private readonly SpecialTokenTemplate _template;
    private readonly bool _cleanUpSpaces;

    private HfTokenizer(JsonElement root, TokenizerConfig config)
    {
        Config = config;
        _model = ReadModel(root.GetProperty("model"));
        _preTokenizer = RegexPreTokenizer.FromJson(root.GetProperty("pre_tokenizer"));
        _nfc = ReadNormalizer(root.GetProperty("normalizer"));
        CheckDecoder(root.GetProperty("decoder"));

        var added = root.TryGetProperty("added_tokens", out var list)
            ? list.EnumerateArray().Select(ReadAddedToken).ToList()
            : [];
        _addedById = added.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.Last());
        _rawSplitter = new AddedTokenSplitter(added.Where(t => !t.Normalized));
        _normalizedSplitter = new AddedTokenSplitter(added.Where(t => t.Normalized));
        _idToToken = _model.Vocab.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.First().Key);
        foreach (var t in added) _idToToken[t.Id] = t.Content;
        VocabSize = _idToToken.Keys.Max() + 1;

        BosTokenId = config.BosToken is null ? null : TokenToId(config.BosToken);
        EosTokenId = config.EosToken is null ? null : TokenToId(config.EosToken);
        PadTokenId = config.PadToken is null ? null : TokenToId(config.PadToken);
        _template = ReadTemplate(root.GetProperty("post_processor"), config);
        _cleanUpSpaces = config.CleanUpTokenizationSpaces;
    }

    public TokenizerConfig Config { get; }

    public int VocabSize { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    /// <summary>Reads DIR/tokenizer.json and, when present, DIR/tokenizer_config.json.</summary>
    public static HfTokenizer Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new TokenizerException($"{path} does not exist.");
        var config = TokenizerConfig.Load(folder);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return new HfTokenizer(doc.RootElement, config);
        }
        catch (JsonException e)
        {
            throw new TokenizerException($"{path}: not valid JSON ({e.Message})");
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TokenizerException($"{path}: missing or malformed field ({e.Message})");
        }
    }

    public int[] Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var raw in _rawSplitter.Split(text))
        {
            if (raw.Token is not null) { ids.Add(raw.Token.Id); continue; }
            var normalized = _nfc ? raw.Text.Normalize(NormalizationForm.FormC) : raw.Text;
            foreach (var piece in _normalizedSplitter.Split(normalized))
            {
                if (piece.Token is not null) { ids.Add(piece.Token.Id); continue; }
                foreach (var word in _preTokenizer.Split(piece.Text)) _model.Encode(ByteLevelAlphabet.Encode(word), ids);
            }
        }
        return addSpecialTokens ? _template.Apply(ids) : [.. ids];
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (skipSpecialTokens && added.Special) continue;
                Flush(bytes, text);
                text.Append(added.Content);
            }
            else if (_idToToken.TryGetValue(id, out var token))
            {
                ByteLevelAlphabet.AppendBytes(token, bytes);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (0..{VocabSize - 1})");
            }
        }
        Flush(bytes, text);
        return _cleanUpSpaces ? CleanUpSpaces(text.ToString()) : text.ToString();
    }

    public int? TokenToId(string token)
    {
        foreach (var added in _addedById.Values) if (added.Content == token) return added.Id;
        return _model.Vocab.TryGetValue(token, out var id) ? id : null;
    }

    private static void Flush(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count == 0) return;
        text.Append(Encoding.UTF8.GetString(bytes.ToArray()));  // invalid UTF-8 becomes U+FFFD, like from_utf8_lossy
        bytes.Clear();
    }

    /// <summary>transformers' clean_up_tokenization: no space before . ? ! , and English contractions.</summary>
    private static string CleanUpSpaces(string text) => text
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
        .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re");

    private static BytePairModel ReadModel(JsonElement model)
    {
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
        if (type != "BPE") throw new TokenizerException($"tokenizer.json: model type '{type}' is not supported (byte-level BPE only).");
        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.GetBoolean())
            throw new TokenizerException("tokenizer.json: BPE with byte_fallback (SentencePiece-style) is not supported.");
        foreach (var field in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() != "")
                throw new TokenizerException($"tokenizer.json: BPE {field} '{v.GetString()}' is not supported.");
        }

        var vocab = new Dictionary<string, int>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
        var merges = new List<(string, string)>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.Array)
            {
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
                continue;
            }
            var s = merge.GetString()!;
            var space = s.IndexOf(' ', 1);  // "Ġ t"; byte-level symbols never contain a space
            if (space < 0) throw new TokenizerException($"tokenizer.json: merge '{s}' is not two symbols.");
            merges.Add((s[..space], s[(space + 1)..]));
        }
        var ignoreMerges = model.TryGetProperty("ignore_merges", out var ignore) && ignore.GetBoolean();
        return new BytePairModel(vocab, merges, ignoreMerges);
    }

    private static bool ReadNormalizer(JsonElement normalizer)
    {
        if (normalizer.ValueKind == JsonValueKind.Null) return false;
        var type = normalizer.GetProperty("type").GetString();
        if (type == "NFC") return true;
        if (type == "Sequence")
        {
            var nfc = false;
            foreach (var inner in normalizer.GetProperty("normalizers").EnumerateArray()) nfc |= ReadNormalizer(inner);
            return nfc;
        }
        throw new TokenizerException($"tokenizer.json: normalizer type '{type}' is not supported (NFC only).");
    }

    private static void CheckDecoder(JsonElement decoder)
    {
        if (decoder.ValueKind == JsonValueKind.Null) return;
        var type = decoder.GetProperty("type").GetString();
        if (type != "ByteLevel") throw new TokenizerException($"tokenizer.json: decoder type '{type}' is not supported (ByteLevel only).");
    }

    private static AddedToken ReadAddedToken(JsonElement t)
    {
        static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.GetBoolean();
        return new AddedToken(t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString()!, Flag(t, "special"),
            Flag(t, "lstrip"), Flag(t, "rstrip"), Flag(t, "normalized"), Flag(t, "single_word"));
    }

    /// <summary>
    /// The post-processor of tokenizer.json, except for Llama-class tokenizers (and any tokenizer_config.json that turns
    /// add_bos_token/add_eos_token on), where transformers rebuilds it as [bos if add_bos_token] + ids + [eos if add_eos_token].
    /// </summary>
    private SpecialTokenTemplate ReadTemplate(JsonElement postProcessor, TokenizerConfig config)
    {
        var llamaClass = config.TokenizerClass is not null && LlamaClasses.Contains(config.TokenizerClass);
        if (!llamaClass && config.AddBosToken != true && config.AddEosToken != true) return SpecialTokenTemplate.FromJson(postProcessor);

        var addBos = config.AddBosToken ?? llamaClass;
        var addEos = config.AddEosToken ?? false;
        if (addBos && BosTokenId is null) throw new TokenizerException("tokenizer_config.json: add_bos_token is true but bos_token is not set.");
        if (addEos && EosTokenId is null) throw new TokenizerException("tokenizer_config.json: add_eos_token is true but eos_token is not set.");
        return new SpecialTokenTemplate(addBos ? [BosTokenId!.Value] : [], addEos ? [EosTokenId!.Value] : []);
    }
}
