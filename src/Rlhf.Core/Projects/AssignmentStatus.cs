namespace Rlhf.Core.Projects;

/// <summary>Where an assignment (a comparison leased to one rater) stands.</summary>
public enum AssignmentStatus
{
    /// <summary>Leased to the rater and not yet answered; open while its lease has not expired.</summary>
    Leased = 0,
    Submitted = 1,
    Skipped = 2,
    /// <summary>The lease ran out; the comparison went back to the queue.</summary>
    Expired = 3,
    /// <summary>The rater undid their vote: the comparison went back to the pool, and the same rater may be given it again.</summary>
    Released = 4,
}
