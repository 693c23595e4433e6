using Rlhf.Core.Rating;

namespace Rlhf.Data.Review;

/// <summary>One comparison in the review queue: the prompt and both responses, every counted vote and skip, the gold answer if any.</summary>
public sealed record ReviewRow(
    long ComparisonId, string Prompt, string ResponseA, string ResponseB, int RequiredVotes,
    IReadOnlyList<ReviewVote> Votes, IReadOnlyList<ReviewSkip> Skips, GoldSide? Gold)
{
    /// <summary>The mean strength of the counted votes (negative: A preferred), or null without votes.</summary>
    public double? MeanStrength => Votes.Count == 0 ? null : Votes.Average(v => v.Strength);
}
