namespace Rlhf.Data.Dashboard;

/// <summary>The numbers on the dashboard, all read from the database.</summary>
public sealed record DashboardCounts(
    int ActiveProjects,
    int TotalProjects,
    int OpenAssignments,
    int MyOpenAssignments,
    int MySubmittedToday,
    int RunningJobs,
    int QueuedJobs,
    int Users,
    int LockedUsers);
