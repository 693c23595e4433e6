namespace Rlhf.Data.Rating;

/// <summary>
/// What the rating page shows for one assignment: the prompt and the two responses in the order this rater sees
/// them (left/right). Sources, which side is A and the project's internal name (it may name models) are never sent to
/// the rater: the task carries the project's title and description for raters instead. <paramref name="DoneInProject"/> of
/// <paramref name="ComparisonsInProject"/>: the comparisons of this project the rater has voted on or skipped, of all the
/// project has (each is given to a rater at most once); 0 done means the rater opens the project for the first time.
/// <paramref name="LeftCutOff"/>/<paramref name="RightCutOff"/>: that response was generated up to its token limit and may
/// end mid-sentence (the page marks it, so raters judge a cut reply knowingly).
/// </summary>
public sealed record RatingTask(
    long AssignmentId,
    int ProjectId,
    string Title,
    string Description,
    string Guidelines,
    bool RationaleRequired,
    string Prompt,
    IReadOnlyList<ConversationTurn>? Conversation,
    string Left,
    string Right,
    DateTime StartedAtUtc,
    DateTime LeaseExpiresAtUtc,
    int DoneToday,
    int? DailyQuota,
    int DoneInProject,
    int ComparisonsInProject,
    bool LeftCutOff = false,
    bool RightCutOff = false);
