namespace Rlhf.Core.Projects;

/// <summary>A rating campaign's life cycle: only Active projects hand out assignments.</summary>
public enum ProjectStatus
{
    Draft = 0,
    Active = 1,
    Paused = 2,
    Closed = 3,
}
