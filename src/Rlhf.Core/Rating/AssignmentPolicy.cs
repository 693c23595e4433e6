namespace Rlhf.Core.Rating;

/// <summary>
/// Chooses the next comparison to lease to a rater. Pure: the caller loads the candidates and writes the lease.
/// </summary>
/// <remarks>
/// The caller passes only comparisons the rater has never rated or skipped, from active projects of the rater's
/// pools, with their current <see cref="AssignmentCandidate.Votes"/>, <see cref="AssignmentCandidate.OpenLeases"/>
/// and <see cref="AssignmentCandidate.RequiredVotes"/> (k, or more when <see cref="AdaptiveOverlap"/> extended it).
/// The policy fills the least-covered comparisons first so a campaign finishes evenly instead of leaving a tail of
/// half-rated pairs, and it never leases a regular comparison that could end with more than its required votes:
/// open leases count as votes to come. Gold pairs are exempt from that cap, because gold is asked of every rater
/// so each rater's accuracy can be measured; a rater never sees the same gold twice since the caller has already
/// excluded what they rated or skipped.
/// </remarks>
public static class AssignmentPolicy
{
    /// <summary>
    /// The next candidate for a rater, or null when nothing can be served.
    /// With probability <paramref name="goldRate"/>, and when a gold candidate exists, a gold one chosen at random;
    /// otherwise the regular candidate with the fewest votes plus open leases still short of its required votes,
    /// ties broken by fewer submitted votes, then at random. When no regular candidate can be served, a gold one
    /// (if any) is returned whatever the draw.
    /// </summary>
    /// <param name="candidates">Comparisons this rater may be given (see the remarks on the class).</param>
    /// <param name="goldRate">Share of assignments that should be gold, in [0, 1] (the project's gold rate).</param>
    /// <param name="random">Source of the gold draw and of tie-breaking; seed it in tests.</param>
    public static AssignmentCandidate? PickNext(IReadOnlyList<AssignmentCandidate> candidates, double goldRate, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        if (double.IsNaN(goldRate) || goldRate < 0 || goldRate > 1)
            throw new ArgumentOutOfRangeException(nameof(goldRate), goldRate, "The gold rate must lie in [0, 1].");

        var gold = new List<AssignmentCandidate>();
        var open = new List<AssignmentCandidate>();
        foreach (var candidate in candidates)
        {
            if (candidate.IsGold)
                gold.Add(candidate);
            else if (candidate.Votes + candidate.OpenLeases < candidate.RequiredVotes)
                open.Add(candidate);
        }

        if (gold.Count > 0 && (open.Count == 0 || random.NextDouble() < goldRate))
            return gold[random.Next(gold.Count)];
        if (open.Count == 0)
            return null;

        var best = new List<AssignmentCandidate>();
        foreach (var candidate in open)
        {
            if (best.Count == 0)
            {
                best.Add(candidate);
                continue;
            }
            var order = Compare(candidate, best[0]);
            if (order < 0)
            {
                best.Clear();
                best.Add(candidate);
            }
            else if (order == 0)
            {
                best.Add(candidate);
            }
        }
        return best[random.Next(best.Count)];
    }

    /// <summary>Fewer votes plus open leases first, then fewer submitted votes (a lease may still expire).</summary>
    private static int Compare(AssignmentCandidate x, AssignmentCandidate y)
    {
        var byCoverage = (x.Votes + x.OpenLeases).CompareTo(y.Votes + y.OpenLeases);
        return byCoverage != 0 ? byCoverage : x.Votes.CompareTo(y.Votes);
    }
}
