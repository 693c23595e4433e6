using Rlhf.Data.Rating;

namespace Rlhf.Data.Demonstrations;

/// <summary>
/// What the writing page shows for one demonstration assignment: the prompt (plain or a conversation), the project's
/// title, description and guidelines for raters, the lease, and the rater's count today. Never the project's internal name.
/// </summary>
public sealed record DemonstrationTask(
    long AssignmentId,
    int ProjectId,
    string Title,
    string Description,
    string Guidelines,
    string Prompt,
    IReadOnlyList<ConversationTurn>? Conversation,
    DateTime StartedAtUtc,
    DateTime LeaseExpiresAtUtc,
    int DoneToday,
    int? DailyQuota);
