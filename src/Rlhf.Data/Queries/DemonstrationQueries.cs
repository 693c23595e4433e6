using Rlhf.Core.Demonstrations;

namespace Rlhf.Data.Queries;

/// <summary>Which <see cref="Demonstration"/>s count, as a filter EF Core translates to SQL (<see cref="DemonstrationRules.Counts"/>).</summary>
public static class DemonstrationQueries
{
    /// <summary>Every demonstration of a project that does not review them; only accepted ones of a project that does.</summary>
    public static IQueryable<Demonstration> Counted(this IQueryable<Demonstration> demonstrations, RlhfDbContext db) =>
        demonstrations.Where(d => d.Verdict == DemonstrationVerdict.Accepted || !db.Projects.Any(p => p.Id == d.ProjectId && p.ReviewDemonstrations));
}
