using Rlhf.Core.Jobs;
using Rlhf.Core.Projects;
using Rlhf.Data.Audit;

namespace Rlhf.Data.Queries;

/// <summary>
/// Who may see and change a project, as filters EF Core translates to SQL: admins (and the platform itself, an actor
/// without a user id) all projects; a researcher the projects they are a member of (<see cref="ProjectMember"/>).
/// A null actor is the platform itself too.
/// </summary>
public static class ProjectQueries
{
    public static IQueryable<Project> VisibleTo(this IQueryable<Project> projects, RlhfDbContext db, AuditActor? actor)
    {
        if (actor is null || actor.SeesAllProjects) return projects;
        var userId = actor.UserId;
        return projects.Where(p => db.ProjectMembers.Any(m => m.ProjectId == p.Id && m.UserId == userId));
    }

    /// <summary>
    /// The jobs an actor may see and cancel: all for admins; else the jobs of their projects, the jobs they started, and
    /// the platform's own jobs that belong to no project.
    /// </summary>
    public static IQueryable<Job> VisibleTo(this IQueryable<Job> jobs, RlhfDbContext db, AuditActor? actor)
    {
        if (actor is null || actor.SeesAllProjects) return jobs;
        var userId = actor.UserId;
        return jobs.Where(j => j.ProjectId == null
            ? j.CreatedById == null || j.CreatedById == userId
            : db.ProjectMembers.Any(m => m.ProjectId == j.ProjectId && m.UserId == userId));
    }
}
