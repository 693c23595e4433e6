namespace Rlhf.Core.Demonstrations;

/// <summary>The rules of demonstrations: what a reply may be, and which demonstrations count.</summary>
public static class DemonstrationRules
{
    public const int MaxReplyLength = 20_000;
    public const int MaxReasonLength = 2_000;

    /// <summary>Why <paramref name="reply"/> cannot be stored (a sentence for the rater), or null when it can.</summary>
    public static string? ReplyProblem(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply)) return "Write a reply first: an empty reply is not stored.";
        var length = reply.Trim().Length;
        return length > MaxReplyLength ? $"The reply is {length:N0} characters long; at most {MaxReplyLength:N0}." : null;
    }

    /// <summary>
    /// Whether a demonstration counts (is exported and trained on): every one when the project does not review them,
    /// only accepted ones when it does.
    /// </summary>
    public static bool Counts(bool reviewOn, DemonstrationVerdict verdict) => !reviewOn || verdict == DemonstrationVerdict.Accepted;
}
