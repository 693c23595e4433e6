using System.Text.RegularExpressions;
using Rlhf.Demo.Corpus;

namespace Rlhf.Demo.Simulation;

/// <summary>
/// The scripted judge of the built-in customer-support demo task: a gold score for a reply to a customer message,
/// used by simulated raters and as the true score next to the reward model's proxy score (Gao et al. 2022).
/// <para>
/// It finds the message's topic from the words customers use for it, then scores the reply:
/// <c>+ relevance</c> (idf-weighted words of that topic's good replies, up to 2)
/// <c>- 0.5 x off-topic</c> (how much better another topic's good replies fit it, up to 2)
/// <c>- 0.3</c> per apology after the first, <c>- 1.5</c> when it blames the customer, <c>- 1</c> for a sales pitch,
/// <c>- 0.5</c> when shorter than six words, <c>- 0.5</c> per repeated sentence, and <c>- 0.02</c> per word over 80.
/// </para>
/// It reads text only (no model), so a reply the demo policy never saw in training is scored by the same rules.
/// The words come from the demo corpus's own templates (<see cref="DemoCorpus"/>); nothing is learned.
/// </summary>
public static partial class DemoJudge
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
        "can", "could", "did", "do", "does", "for", "from", "get", "had", "has", "have", "i", "if", "in", "is", "it", "its",
        "just", "me", "my", "no", "not", "now", "of", "on", "one", "or", "our", "please", "so", "that", "the", "them", "then",
        "there", "this", "to", "today", "up", "us", "was", "we", "were", "what", "when", "which", "will", "with", "would",
        "you", "your", "thank", "thanks", "hi", "hello", "dear", "let", "know", "help", "need", "still", "yet", "see", "same",
        "i'm", "i've", "you'll", "we'll", "i'll", "it's", "don't", "how", "where", "who", "why", "more", "very", "most",
    };

    private static readonly string[] Dismissals =
    [
        "not our problem", "not our fault", "should have read", "made a mistake", "cannot help", "before you write",
        "be patient", "read the information",
    ];

    private static readonly string[] SalesPitches =
    [
        "sale", "newsletter", "new collection", "back in stock", "free delivery", "great reviews", "percent off",
        "feedback about our website", "you might like",
    ];

    private static readonly Lazy<Vocabulary> Words = new(Vocabulary.Build);

    /// <summary>The gold score of <paramref name="response"/> as a reply to the customer message <paramref name="prompt"/>.</summary>
    public static double Score(string prompt, string response)
    {
        var words = Words.Value;
        var topic = words.TopicOf(prompt);
        var replyWords = DemoCorpus.Words(response).ToList();
        var distinct = replyWords.Where(w => !StopWords.Contains(w)).ToHashSet(StringComparer.Ordinal);
        var text = " " + string.Join(' ', replyWords) + " ";

        // Relevance to each topic's good replies; the reply is off-topic by as much as another topic fits it better.
        var fit = words.Helpful.Select(h => distinct.Sum(w => h.TryGetValue(w, out var idf) ? idf : 0)).ToArray();
        var relevance = Math.Min(2.0, fit[topic] / 1.5);
        var offTopic = Math.Min(2.0, Math.Max(0, fit.Where((_, t) => t != topic).Max() - fit[topic]) / 1.5);
        var apologies = Regex.Count(text, @" (sorry|apologise|apologies|apologize) ");
        var dismissive = Dismissals.Any(d => text.Contains($" {d} ", StringComparison.Ordinal));
        var sales = SalesPitches.Any(s => text.Contains($" {s} ", StringComparison.Ordinal));
        var sentences = SentenceSplit().Split(response).Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).ToList();
        var repeats = sentences.Count - sentences.Distinct(StringComparer.Ordinal).Count();

        return relevance
            - 0.5 * offTopic
            - 0.3 * Math.Max(0, apologies - 1)
            - (dismissive ? 1.5 : 0)
            - (sales ? 1.0 : 0)
            - (replyWords.Count < 6 ? 0.5 : 0)
            - 0.5 * repeats
            - 0.02 * Math.Max(0, replyWords.Count - 80);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceSplit();

    /// <summary>Per topic: the words customers use (to find the topic) and the words of good replies, each with an idf weight.</summary>
    private sealed class Vocabulary
    {
        public required Dictionary<string, double>[] Message { get; init; }
        public required Dictionary<string, double>[] Helpful { get; init; }

        public int TopicOf(string prompt)
        {
            var words = DemoCorpus.Words(prompt).Where(w => !StopWords.Contains(w)).ToHashSet(StringComparer.Ordinal);
            var best = 0;
            var bestScore = double.NegativeInfinity;
            for (var t = 0; t < Message.Length; t++)
            {
                var score = words.Sum(w => Message[t].TryGetValue(w, out var idf) ? idf : 0);
                if (score > bestScore) (best, bestScore) = (t, score);
            }
            return best;
        }

        public static Vocabulary Build()
        {
            var topics = DemoTopics.All;
            var message = topics.Select(t => WordsOf(t.Messages.Concat(t.Asks))).ToArray();
            // A good reply's words, less those its topic's vague replies use too (they say nothing useful).
            var helpful = topics.Select(t => WordsOf(t.Acknowledgements.Concat(t.Actions)).Except(WordsOf(t.Vague)).ToHashSet()).ToArray();
            return new Vocabulary { Message = Weighted(message), Helpful = Weighted(helpful) };
        }

        /// <summary>idf = ln(1 + topics / topics that use the word): a word of one topic weighs ~2.6, of every topic ~0.7.</summary>
        private static Dictionary<string, double>[] Weighted(HashSet<string>[] sets)
        {
            var counts = sets.SelectMany(s => s).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
            return sets.Select(s => s.ToDictionary(w => w, w => Math.Log(1.0 + (double)sets.Length / counts[w]))).ToArray();
        }

        private static HashSet<string> WordsOf(IEnumerable<string> templates) =>
            templates.SelectMany(t => DemoCorpus.Words(Slot().Replace(t, " "))).Where(w => !StopWords.Contains(w)).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\{[a-z_]+\}")]
    private static partial Regex Slot();
}
