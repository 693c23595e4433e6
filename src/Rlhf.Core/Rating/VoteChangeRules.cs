namespace Rlhf.Core.Rating;

/// <summary>
/// When a rater may still change or undo their own vote (Label Studio's and Argilla's "edit your annotation"): until the
/// comparison has all its votes, or the project's window after the vote has passed, whichever comes first. A final vote
/// stays as it is, so agreement, exports and reward runs never see a settled comparison change under them.
/// </summary>
public static class VoteChangeRules
{
    /// <summary>The moment the window for changing a vote closes.</summary>
    /// <param name="submittedAtUtc">When the vote was first submitted (a change does not extend the window).</param>
    /// <param name="windowMinutes">The project's window, 0 or more minutes.</param>
    public static DateTime ChangeableUntil(DateTime submittedAtUtc, int windowMinutes) =>
        submittedAtUtc.AddMinutes(Math.Max(0, windowMinutes));

    /// <summary>Null while the vote may be changed or undone; else the sentence that tells the rater why not.</summary>
    /// <param name="countedVotes">The comparison's counted (not voided) votes, this one included.</param>
    /// <param name="requiredVotes">The votes the comparison needs (k, or k + m under adaptive overlap).</param>
    /// <param name="submittedAtUtc">When the vote was first submitted.</param>
    /// <param name="windowMinutes">The project's window for changes, in minutes (0: votes are final at once).</param>
    /// <param name="nowUtc">Now.</param>
    public static string? WhyFinal(int countedVotes, int requiredVotes, DateTime submittedAtUtc, int windowMinutes, DateTime nowUtc)
    {
        if (countedVotes >= requiredVotes) return "This comparison has all its votes, so your vote is final.";
        if (windowMinutes <= 0) return "This project does not let raters change their votes.";
        if (nowUtc >= ChangeableUntil(submittedAtUtc, windowMinutes))
            return $"Votes can be changed for {windowMinutes} minutes after voting; the time for this one has passed.";
        return null;
    }
}
