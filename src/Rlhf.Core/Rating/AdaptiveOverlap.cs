namespace Rlhf.Core.Rating;

/// <summary>
/// Adaptive overlap: when the first k votes on a comparison disagree past a threshold, up to m more raters are
/// asked, so contested pairs get more evidence while clear ones stop at k (Label Studio and Argilla use a fixed k).
/// </summary>
public static class AdaptiveOverlap
{
    /// <summary>
    /// 1 minus the share of the most common direction (the sign of the strength: A, tie or B) among the votes;
    /// 0 for fewer than 2 votes. With 3 votes the possible values are 0 (all agree), 1/3 (two against one) and
    /// 2/3 (A, tie and B once each). Direction, not strength, is used: "better" and "much better" agree.
    /// </summary>
    /// <param name="strengths">Votes as stored, -2..2.</param>
    public static double Disagreement(IReadOnlyList<int> strengths)
    {
        ArgumentNullException.ThrowIfNull(strengths);
        if (strengths.Count < 2)
            return 0;
        int a = 0, tie = 0, b = 0;
        foreach (var strength in strengths)
        {
            switch (VoteStrength.Direction(strength))
            {
                case < 0: a++; break;
                case 0: tie++; break;
                default: b++; break;
            }
        }
        return 1 - (double)Math.Max(a, Math.Max(tie, b)) / strengths.Count;
    }

    /// <summary>
    /// The votes a comparison needs: k while it has fewer than k votes; once it has at least k, k + m when the
    /// <see cref="Disagreement"/> of its first k votes is above <paramref name="threshold"/>, else k.
    /// Only the first k votes decide, so the extra votes cannot raise the requirement again.
    /// </summary>
    /// <param name="k">The project's overlap (distinct raters per comparison), at least 1.</param>
    /// <param name="extraRaters">m, the raters added on disagreement; 0 turns adaptive overlap off.</param>
    /// <param name="threshold">Disagreement above which the m extra raters are asked (strictly above).</param>
    /// <param name="strengths">The comparison's not-voided votes in submission order, -2..2.</param>
    public static int RequiredVotes(int k, int extraRaters, double threshold, IReadOnlyList<int> strengths)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(extraRaters);
        ArgumentNullException.ThrowIfNull(strengths);
        if (strengths.Count < k || extraRaters == 0)
            return k;
        var firstK = strengths.Count == k ? strengths : strengths.Take(k).ToArray();
        return Disagreement(firstK) > threshold ? k + extraRaters : k;
    }
}
