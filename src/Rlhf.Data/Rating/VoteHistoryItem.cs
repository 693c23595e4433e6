namespace Rlhf.Data.Rating;

/// <summary>
/// One of a rater's recent votes as they saw it: the prompt, the two responses on the sides they were shown, and their
/// choice as shown (-2 left much better .. 2 right much better). Like <see cref="RatingTask"/> it never names sources,
/// which side is A, or the project's internal name. <paramref name="Final"/> says why the vote can no longer be changed
/// or undone; null while it can (until <paramref name="ChangeableUntilUtc"/> at the latest).
/// </summary>
public sealed record VoteHistoryItem(
    long VoteId,
    int ProjectId,
    string Title,
    bool RationaleRequired,
    string Prompt,
    IReadOnlyList<ConversationTurn>? Conversation,
    string Left,
    string Right,
    int ScreenChoice,
    bool BothBad,
    string Rationale,
    DateTime SubmittedAtUtc,
    DateTime? EditedAtUtc,
    DateTime ChangeableUntilUtc,
    string? Final)
{
    public bool CanChange => Final is null;
}
