namespace Rlhf.Data.Rating;

/// <summary>What became of a submit, skip, change or undo; callers decide by this, never by the message text.</summary>
public enum RatingOutcome
{
    Stored,
    /// <summary>The same assignment was already submitted (or skipped): nothing new stored, the first answer stands.</summary>
    AlreadyStored,
    /// <summary>No such assignment for this rater (another rater's, or none): nothing stored.</summary>
    NotFound,
    /// <summary>Bad input (no such choice, a rationale too long or missing, no skip reason): nothing stored; the rater may correct it.</summary>
    Invalid,
    /// <summary>The lease ran out and others have given the comparison all the votes it needs: nothing stored; move on to the next one.</summary>
    LeaseExpired,
    /// <summary>The rater already ended this assignment the other way (skipped it, then voted; or voted, then skipped): nothing changed.</summary>
    Closed,
    /// <summary>The rater already has a counted vote on this comparison (from an earlier assignment of it): nothing stored.</summary>
    AlreadyVoted,
    /// <summary>The project is not active (paused or closed): it hands out nothing and takes no votes; nothing stored.</summary>
    ProjectNotActive,
    /// <summary>The rater's account is locked: nothing handed out or stored.</summary>
    Locked,
    /// <summary>The vote can no longer be changed or undone (its comparison has all its votes, or the project's window passed): nothing changed.</summary>
    Final,
}
