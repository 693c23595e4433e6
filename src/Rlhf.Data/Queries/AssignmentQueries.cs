using Rlhf.Core.Projects;

namespace Rlhf.Data.Queries;

/// <summary>
/// The lease rules of <see cref="Assignment"/> as filters EF Core translates to SQL. <see cref="LiveLeases"/> is
/// <see cref="Assignment.IsOpen"/> in query form; a test runs the same cases through both on a real database.
/// </summary>
public static class AssignmentQueries
{
    /// <summary>Leases open at <paramref name="nowUtc"/>: leased and not yet run out (<see cref="Assignment.IsOpen"/>).</summary>
    public static IQueryable<Assignment> LiveLeases(this IQueryable<Assignment> assignments, DateTime nowUtc) =>
        assignments.Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > nowUtc);

    /// <summary>Leases that ran out by <paramref name="nowUtc"/> but are not yet marked expired: leased and not open.</summary>
    public static IQueryable<Assignment> RunOutLeases(this IQueryable<Assignment> assignments, DateTime nowUtc) =>
        assignments.Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc <= nowUtc);

    /// <summary>
    /// Assignments that still hold their comparison for their rater at <paramref name="nowUtc"/>: submitted, skipped or
    /// open; neither expired, released (its vote undone) nor a lease that ran out.
    /// </summary>
    public static IQueryable<Assignment> Held(this IQueryable<Assignment> assignments, DateTime nowUtc) =>
        assignments.Where(a => a.Status != AssignmentStatus.Expired && a.Status != AssignmentStatus.Released
            && (a.Status != AssignmentStatus.Leased || a.LeaseExpiresAtUtc > nowUtc));

    /// <summary>
    /// Assignments that keep their comparison from being given to the same rater again: every one but a released one (its
    /// rater undid the vote, so the comparison went back to the pool, for them too).
    /// </summary>
    public static IQueryable<Assignment> NotReleased(this IQueryable<Assignment> assignments) =>
        assignments.Where(a => a.Status != AssignmentStatus.Released);
}
