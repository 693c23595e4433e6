namespace Rlhf.Data.Projects;

/// <summary>What became of adding or removing a project member; callers decide by this, never by the message text.</summary>
public enum MembershipOutcome
{
    Done,
    /// <summary>No such project for the actor (or no such member): nothing changed.</summary>
    NotFound,
    /// <summary>The actor sees the project but is neither its owner nor an admin: nothing changed.</summary>
    Forbidden,
    /// <summary>Bad input (no such researcher, the owner removed): nothing changed.</summary>
    Invalid,
}
