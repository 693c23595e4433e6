namespace Rlhf.Data.Projects;

/// <summary>The outcome of a membership change, with a message when it was refused.</summary>
public sealed record MembershipResult(MembershipOutcome Outcome, string? Error = null)
{
    public static readonly MembershipResult Done = new(MembershipOutcome.Done);
}
