using Rlhf.Core.Rating;

namespace Rlhf.Data.Statistics;

/// <summary>
/// One rater in one project: volume, speed, gold accuracy, agreement and the two biases. For admins RaterId is the
/// user id and Email the e-mail; researchers see <see cref="DashboardPseudonyms.WithPseudonyms"/>'s copy, where RaterId
/// is the rater's pseudonym and Email is null.
/// </summary>
public sealed record RaterStatsRow(
    string RaterId,
    string? Email,
    int Votes,
    int Skips,
    double? MedianSeconds,
    int GoldAnswered,
    double? GoldAccuracy,
    bool Flagged,
    double? AgreementWithOthers,
    double? LeftShare,
    double PositionPValue,
    double? LongerShare,
    double LengthPValue)
{
    /// <summary>What stands out in this rater's votes besides gold accuracy (<see cref="RaterWarnings"/>); empty when nothing does.</summary>
    public IReadOnlyList<string> Warnings => RaterWarnings.Of(Votes, MedianSeconds, LeftShare, PositionPValue, LongerShare, LengthPValue);
}
