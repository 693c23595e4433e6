using Rlhf.Core.Projects;

namespace Rlhf.Data.Rating;

/// <summary>
/// What a lease attempt inside the hand-out's write transaction found: the new lease, or the rater's live lease (a
/// concurrent hand-out to them won), or neither; and whether the rater's live lease was looked for at all (it is read
/// with the first pick check, or before the insert when there was none).
/// </summary>
internal readonly record struct LeaseOutcome(Assignment? Leased, long? RatersLiveId, bool LiveChecked);
