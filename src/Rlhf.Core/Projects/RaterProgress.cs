namespace Rlhf.Core.Projects;

/// <summary>
/// How many of a rater's assignments in a project are finished (voted on or skipped): the "done in this project" shown
/// with every pair. The database keeps it: triggers on the assignments table count each assignment into it as its status
/// becomes Submitted or Skipped and out of it as it leaves them or is deleted, in the same transaction, whatever writes it.
/// Counting the rater's assignments instead read their whole history on every hand-out.
/// </summary>
public sealed class RaterProgress
{
    public string RaterId { get; set; } = "";
    public int ProjectId { get; set; }
    public int Finished { get; set; }
}
