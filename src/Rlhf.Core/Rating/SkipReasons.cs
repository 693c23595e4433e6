namespace Rlhf.Core.Rating;

/// <summary>
/// Why a rater skips a comparison: one of a few kinds a researcher can count and filter by (as Label Studio, Argilla
/// and OpenAssistant offer), optionally with the rater's own words. Stored as one text, "kind" or "kind: words"; a
/// reason written before the kinds existed, or in other words, is of the kind <see cref="Other"/>.
/// </summary>
public static class SkipReasons
{
    public const string CannotJudge = "Can't judge";
    public const string Unsafe = "Unsafe or harmful";
    public const string PersonalData = "Personal data (PII)";
    public const string NotEnglish = "Not English";
    public const string Broken = "Spam or broken";
    public const string Other = "Other";

    /// <summary>The kinds a rater picks from, in the order the rating page shows them (keys 1 to 6 while skipping).</summary>
    public static IReadOnlyList<string> Kinds { get; } = [CannotJudge, Unsafe, PersonalData, NotEnglish, Broken, Other];

    /// <summary>The stored reason: the kind, then the rater's words if any ("Can't judge: code in Rust"); for
    /// <see cref="Other"/> the words alone.</summary>
    public static string Compose(string kind, string? words)
    {
        words = (words ?? "").Trim();
        if (words.Length == 0) return kind;
        return kind == Other ? words : $"{kind}: {words}";
    }

    /// <summary>The kind of a stored reason; <see cref="Other"/> for free text.</summary>
    public static string KindOf(string? reason)
    {
        reason ??= "";
        return Kinds.FirstOrDefault(k => k != Other && (reason == k || reason.StartsWith(k + ":", StringComparison.Ordinal))) ?? Other;
    }
}
