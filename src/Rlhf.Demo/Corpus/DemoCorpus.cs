namespace Rlhf.Demo.Corpus;

/// <summary>
/// A seeded generator of short customer-support conversations for the built-in demo task. The project writes
/// every sentence itself (no external data), so the corpus is licence-clean.
/// <para>
/// Each conversation is a customer message about one of a dozen topics (late order, damaged item, refund,
/// password reset, wrong size, billing, cancelling a subscription, product question, address change, missing
/// item, discount code, wrong colour) with slot fillers (names, products, colours, sizes, order numbers, days,
/// amounts), and a reply. Replies vary in quality on purpose, so that two sampled replies give raters a real
/// choice: about half are polite, specific and actionable; the rest are curt, off-topic, over-apologetic,
/// vague or dismissive. Nothing in the text says which is which.
/// </para>
/// The same seed and count always give the same conversations (System.Random with a seed is stable).
/// </summary>
public static class DemoCorpus
{
    /// <summary>The topic keys ("late_order", "damaged_item", ...).</summary>
    public static IReadOnlyList<string> Topics { get; } = DemoTopics.All.Select(t => t.Key).ToArray();

    /// <summary><paramref name="count"/> conversations (prompt + reply) for <paramref name="seed"/>.</summary>
    public static IReadOnlyList<DemoExample> Examples(int seed, int count) => StyledExamples(seed, count).Select(e => e.Example).ToArray();

    /// <summary>
    /// <see cref="Examples"/> with the style each reply was written in (the same conversations for the same seed),
    /// and, for each, one reply of every other style to the same message: used to check the demo judge.
    /// </summary>
    internal static IReadOnlyList<(DemoExample Example, DemoReplyStyle Style)> StyledExamples(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var result = new (DemoExample, DemoReplyStyle)[count];
        for (var i = 0; i < count; i++)
        {
            var (topic, slots, prompt) = DrawPrompt(random);
            var style = DemoReplies.DrawStyle(random);
            result[i] = (new DemoExample(prompt, DemoReplies.Reply(random, style, topic, slots)), style);
        }
        return result;
    }

    /// <summary>
    /// One customer message and a reply of each style to it, for checking the demo judge: <paramref name="count"/> sets
    /// of (prompt, replies by style).
    /// </summary>
    internal static IReadOnlyList<(string Prompt, IReadOnlyDictionary<DemoReplyStyle, string> Replies)> ReplySets(int seed, int count)
    {
        var random = new Random(seed);
        var result = new List<(string, IReadOnlyDictionary<DemoReplyStyle, string>)>(count);
        for (var i = 0; i < count; i++)
        {
            var (topic, slots, prompt) = DrawPrompt(random);
            var replies = Enum.GetValues<DemoReplyStyle>().ToDictionary(s => s, s => DemoReplies.Reply(random, s, topic, slots));
            result.Add((prompt, replies));
        }
        return result;
    }

    /// <summary>
    /// The training texts of <see cref="Examples"/>: "User: {prompt}\nAssistant: {reply}&lt;|endoftext|&gt;".
    /// </summary>
    public static IReadOnlyList<string> Texts(int seed, int count) => Examples(seed, count).Select(e => e.Text).ToArray();

    /// <summary>
    /// <paramref name="count"/> customer messages without replies, for a demo project's prompt set. Drawn from
    /// their own sequence: Prompts(s, n) is not the prompts of Examples(s, n).
    /// </summary>
    public static IReadOnlyList<string> Prompts(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(unchecked(seed * 7919 + 17));
        var result = new string[count];
        for (var i = 0; i < count; i++) result[i] = DrawPrompt(random).Prompt;
        return result;
    }

    /// <summary>
    /// Every word the generator can write (lower case, letters and apostrophes only; numbers are left out).
    /// Used to check that a model trained on the corpus writes the corpus's English.
    /// </summary>
    public static IReadOnlySet<string> Vocabulary() => LazyVocabulary.Value;

    private static readonly Lazy<IReadOnlySet<string>> LazyVocabulary = new(() =>
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Examples(seed: 0, count: 20000))
        {
            words.UnionWith(Words(e.Prompt));
            words.UnionWith(Words(e.Reply));
        }
        return words;
    });

    /// <summary>The words of a text as <see cref="Vocabulary"/> counts them: lower case, split at anything but letters and apostrophes.</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new System.Text.StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetter(c) || c == '\'' || (c == '-' && word.Length > 0)) { word.Append(char.ToLowerInvariant(c)); continue; }
            if (word.Length > 0 && Clean(word) is { Length: > 0 } w) yield return w;
            word.Clear();
        }
        if (word.Length > 0 && Clean(word) is { Length: > 0 } last) yield return last;

        static string Clean(System.Text.StringBuilder w) => w.ToString().Trim('\'', '-');
    }

    private static (DemoTopic Topic, DemoSlots Slots, string Prompt) DrawPrompt(Random random)
    {
        var topic = random.Pick(DemoTopics.All);
        var slots = DemoSlots.Draw(random, topic.Wearable ?? random.Chance(0.4));
        topic.Prepare?.Invoke(random, slots);
        return (topic, slots, DemoReplies.CustomerMessage(random, topic, slots));
    }
}
