using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Core.Projects;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Dashboard;

public sealed class DashboardService(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    public async Task<DashboardCounts> GetAsync(string? userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = now.Date;
        var open = db.Assignments.LiveLeases(now);
        var nowOffset = clock.GetUtcNow();
        return new DashboardCounts(
            ActiveProjects: await db.Projects.CountAsync(p => p.Status == ProjectStatus.Active, ct),
            TotalProjects: await db.Projects.CountAsync(ct),
            OpenAssignments: await open.CountAsync(ct),
            MyOpenAssignments: userId is null ? 0 : await open.CountAsync(a => a.RaterId == userId, ct),
            MySubmittedToday: userId is null ? 0 : await db.Assignments.CountAsync(
                a => a.RaterId == userId && a.Status == AssignmentStatus.Submitted && a.FinishedAtUtc >= today, ct),
            RunningJobs: await db.Jobs.CountAsync(j => j.Status == JobStatus.Running, ct),
            QueuedJobs: await db.Jobs.CountAsync(j => j.Status == JobStatus.Queued, ct),
            Users: await db.Users.CountAsync(ct),
            LockedUsers: (await db.Users.Select(u => u.LockoutEnd).Where(e => e != null).ToListAsync(ct)).Count(e => e > nowOffset));
    }
}
