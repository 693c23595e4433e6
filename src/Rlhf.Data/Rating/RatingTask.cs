namespace Rlhf.Data.Rating;

/// <summary>
/// What the rating page shows for one assignment: the prompt and the two responses in the order this rater sees
/// them (left/right). Sources and which side is A are never sent to the rater.
/// </summary>
public sealed record RatingTask(
    long AssignmentId,
    int ProjectId,
    string ProjectName,
    string Guidelines,
    bool RationaleRequired,
    string Prompt,
    IReadOnlyList<ConversationTurn>? Conversation,
    string Left,
    string Right,
    DateTime StartedAtUtc,
    DateTime LeaseExpiresAtUtc,
    int DoneToday,
    int? DailyQuota);
