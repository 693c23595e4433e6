namespace Rlhf.Core.Rating;

/// <summary>
/// Why a rater's votes deserve a look beside gold accuracy: votes implausibly fast for reading two responses, or a
/// lean towards one side or towards the longer response that chance does not explain (binomial test, p below
/// <see cref="BiasPValue"/>). Each warning is one line a researcher reads; none means nothing stands out.
/// </summary>
public static class RaterWarnings
{
    /// <summary>A median below this many seconds a vote is too fast to have read both responses.</summary>
    public const double FastSeconds = 2.0;
    /// <summary>Speed is judged from this many votes on.</summary>
    public const int MinimumVotes = 10;
    /// <summary>A lean with a two-sided binomial p-value below this is flagged.</summary>
    public const double BiasPValue = 0.01;

    public static IReadOnlyList<string> Of(int votes, double? medianSeconds, double? leftShare, double positionPValue, double? longerShare, double lengthPValue)
    {
        var warnings = new List<string>();
        if (votes >= MinimumVotes && medianSeconds is { } s && s < FastSeconds)
            warnings.Add($"fast: median {s:F1} s a vote");
        if (leftShare is { } left && positionPValue < BiasPValue)
            warnings.Add($"position bias: left {left:P0} (p = {positionPValue:F3})");
        if (longerShare is { } longer && lengthPValue < BiasPValue)
            warnings.Add($"length bias: {(longer >= 0.5 ? "longer" : "shorter")} {Math.Max(longer, 1 - longer):P0} (p = {lengthPValue:F3})");
        return warnings;
    }
}
