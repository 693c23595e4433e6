using System.Collections.Concurrent;

namespace Rlhf.Training.Text;

/// <summary>
/// The "BPE" model of a tokenizer.json: a byte-level word is split into characters, then the adjacent pair with the
/// lowest merge rank (leftmost among equals) is merged until no merge applies, exactly as Hugging Face's tokenizers.
/// With <c>ignore_merges</c> (Llama 3) a word that is itself in the vocabulary is one token without merging.
/// </summary>
public sealed class BytePairModel
{
    private const int CacheLimit = 200_000;

    private readonly IReadOnlyDictionary<string, int> _vocab;
    private readonly Dictionary<(string Left, string Right), int> _ranks;
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _cache = new();

    public BytePairModel(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges)
    {
        _vocab = vocab;
        _ignoreMerges = ignoreMerges;
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (var i = 0; i < merges.Count; i++) _ranks.TryAdd(merges[i], i);
    }

    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    /// <summary>Appends the ids of one pre-token, given in byte-level characters (<see cref="ByteLevelAlphabet.Encode"/>).</summary>
    public void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (!_cache.TryGetValue(word, out var wordIds))
        {
            wordIds = Merge(word);
            if (_cache.Count >= CacheLimit) _cache.Clear();
            _cache[word] = wordIds;
        }
        ids.AddRange(wordIds);
    }

    private int[] Merge(string word)
    {
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole)) return [whole];

        var symbols = new List<string>(word.Length);
        foreach (var c in word) symbols.Add(c.ToString());
        while (symbols.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }

        var ids = new int[symbols.Count];
        for (var i = 0; i < symbols.Count; i++)
        {
            if (!_vocab.TryGetValue(symbols[i], out ids[i]))
                throw new TokenizerException($"tokenizer.json: the symbol '{symbols[i]}' is missing from the vocabulary (no unk_token).");
        }
        return ids;
    }
}
