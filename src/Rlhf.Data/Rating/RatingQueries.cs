using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;

namespace Rlhf.Data.Rating;

/// <summary>
/// The reads of every hand-out and vote, compiled once (<see cref="EF.CompileAsyncQuery{TContext,TParam1,TResult}(System.Linq.Expressions.Expression{Func{TContext,TParam1,TResult}})"/>).
/// A LINQ query is built, walked for its parameters (EF Core's funcletizer, which also evaluates helper calls such as
/// <c>LiveLeases(now)</c> by interpreting them) and looked up in the query cache by comparing expression trees on every
/// call: 13-14 % of the site's CPU under load. A compiled query does that once.
/// A compiled query cannot call the filter helpers of <c>Rlhf.Data.Queries</c> with its own parameters, so their rules
/// are written out here, each named where it is used: live lease = <c>Status == Leased &amp;&amp; LeaseExpiresAtUtc &gt; now</c>
/// (<c>LiveLeases</c>), counted vote = <c>VoidedAtUtc == null</c> (<c>Counted</c>), not released = <c>Status != Released</c>
/// (<c>NotReleased</c>). AssignmentQueriesTests checks them against the rule on every status and lease end; the rating
/// tests cover each through the service.
/// The rater's live lease is a comparison's lease, <c>(ComparisonId ?? 0) != 0</c>, not <c>ComparisonId != null</c>:
/// SQLite can seek an index by IS NOT NULL, and with it chose (RaterId, ComparisonId), which reads every assignment the
/// rater ever had, row by row, on every hand-out. The COALESCE leaves it (RaterId, Status): their leases alone.
/// </summary>
public static class RatingQueries
{
    /// <summary>The rater's lockout and their oldest live lease in an active project (null: no such rater).</summary>
    public static Task<RaterAtHandOut?> RaterAsync(RlhfDbContext db, string raterId, DateTime now, CancellationToken ct) =>
        rater.For(db)(db, raterId, now, ct);

    private static readonly CompiledPerModel<Func<RlhfDbContext, string, DateTime, CancellationToken, Task<RaterAtHandOut?>>> rater = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, string raterId, DateTime now, CancellationToken ct) =>
            db.Users.Where(u => u.Id == raterId)
                .Select(u => new RaterAtHandOut(u.LockoutEnd,
                    db.Assignments
                        .Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now) // LiveLeases
                        .Where(a => a.RaterId == raterId && (a.ComparisonId ?? 0) != 0 // a comparison's: see the class summary
                            && db.Projects.Any(p => p.Id == a.ProjectId && p.Status == ProjectStatus.Active))
                        .OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefault()))
                .SingleOrDefault()));

    /// <summary>An assignment by id, untracked.</summary>
    public static Task<Assignment> AssignmentByIdAsync(RlhfDbContext db, long id, CancellationToken ct) => assignmentById.For(db)(db, id, ct);

    private static readonly CompiledPerModel<Func<RlhfDbContext, long, CancellationToken, Task<Assignment>>> assignmentById = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, long id, CancellationToken ct) => db.Assignments.AsNoTracking().Single(a => a.Id == id)));

    /// <summary>Active projects open to one of the rater's pools, each with whether it has gold pairs (quota and pause are checked after).</summary>
    public static IAsyncEnumerable<ProjectForRater> ProjectsOfRaterAsync(RlhfDbContext db, string raterId) => projectsOfRater.For(db)(db, raterId);

    private static readonly CompiledPerModel<Func<RlhfDbContext, string, IAsyncEnumerable<ProjectForRater>>> projectsOfRater = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, string raterId) =>
            db.Projects.AsNoTracking()
                .Where(p => p.Status == ProjectStatus.Active && db.ProjectPools.Any(pp => pp.ProjectId == p.Id
                    && db.PoolMembers.Any(m => m.UserId == raterId && m.PoolId == pp.PoolId)))
                .Select(p => new ProjectForRater(p, db.GoldAnswers.Any(g => db.Comparisons.Any(c => c.Id == g.ComparisonId && c.ProjectId == p.Id))))));

    /// <summary>
    /// A comparison's state for the pick check in the write transaction: whether the rater had it (any assignment not
    /// released), its counted votes and its live leases; and the rater's oldest live lease in an active project (the
    /// query of <see cref="RaterAsync"/>'s LiveId: a concurrent hand-out to the same rater may have leased meanwhile).
    /// Null: the comparison was deleted.
    /// </summary>
    public static Task<PickState?> PickAsync(RlhfDbContext db, long id, string raterId, DateTime now, CancellationToken ct) =>
        pick.For(db)(db, id, raterId, now, ct);

    private static readonly CompiledPerModel<Func<RlhfDbContext, long, string, DateTime, CancellationToken, Task<PickState?>>> pick = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, long id, string raterId, DateTime now, CancellationToken ct) =>
            db.Comparisons.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new PickState(
                    c.RequiredVotes,
                    db.Assignments.Any(a => a.Status != AssignmentStatus.Released && a.ComparisonId == id && a.RaterId == raterId), // NotReleased
                    db.Votes.Count(v => v.VoidedAtUtc == null && v.ComparisonId == id),                                              // Counted
                    db.Assignments.Count(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now && a.ComparisonId == id), // LiveLeases
                    db.Assignments
                        .Where(a => a.Status == AssignmentStatus.Leased && a.LeaseExpiresAtUtc > now) // LiveLeases
                        .Where(a => a.RaterId == raterId && (a.ComparisonId ?? 0) != 0 // a comparison's: see the class summary
                            && db.Projects.Any(p => p.Id == a.ProjectId && p.Status == ProjectStatus.Active))
                        .OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefault()))
                .SingleOrDefault()));

    /// <summary>
    /// What the rater sees of a comparison: the prompt (joined on its key: a two-column subquery becomes a LEFT JOIN over
    /// ROW_NUMBER() of every prompt), both responses (scalar subqueries by key: SQLite has no APPLY), the rater's votes
    /// today in the project (summed, not filtered by project: with ProjectId in the filter SQLite picks the project's
    /// index and reads the project's whole day) and their finished assignments in it, one row kept by the database
    /// (<see cref="RaterProgress"/>: counting them read the rater's whole history).
    /// </summary>
    public static Task<ShownPair> ShownAsync(RlhfDbContext db, long comparisonId, string raterId, int projectId, DateTime today, CancellationToken ct) =>
        shown.For(db)(db, comparisonId, raterId, projectId, today, ct);

    private static readonly CompiledPerModel<Func<RlhfDbContext, long, string, int, DateTime, CancellationToken, Task<ShownPair>>> shown = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, long comparisonId, string raterId, int projectId, DateTime today, CancellationToken ct) =>
            (from c in db.Comparisons.AsNoTracking()
             where c.Id == comparisonId
             join p in db.Prompts on c.PromptId equals p.Id
             select new ShownPair(
                 p.Text,
                 p.MessagesJson,
                 db.Responses.Where(r => r.Id == c.ResponseAId).Select(r => r.Text).Single(),
                 db.Responses.Where(r => r.Id == c.ResponseAId).Select(r => r.CutOff).Single(),
                 db.Responses.Where(r => r.Id == c.ResponseBId).Select(r => r.Text).Single(),
                 db.Responses.Where(r => r.Id == c.ResponseBId).Select(r => r.CutOff).Single(),
                 db.Votes.Where(v => v.RaterId == raterId && v.SubmittedAtUtc >= today).Sum(v => v.ProjectId == projectId ? 1 : 0),
                 db.RaterProgress.Where(r => r.RaterId == raterId && r.ProjectId == projectId).Select(r => r.Finished).FirstOrDefault()))
            .Single()));

    /// <summary>
    /// Everything a vote checks, in one read, untracked: the rater's own assignment, its comparison and project, the
    /// rater's lockout and whether they already have a counted vote on the comparison.
    /// </summary>
    public static Task<VoteScene?> SceneAsync(RlhfDbContext db, long assignmentId, string raterId, CancellationToken ct) =>
        scene.For(db)(db, assignmentId, raterId, ct);

    private static readonly CompiledPerModel<Func<RlhfDbContext, long, string, CancellationToken, Task<VoteScene?>>> scene = new(() =>
        EF.CompileAsyncQuery((RlhfDbContext db, long assignmentId, string raterId, CancellationToken ct) =>
            (from a in db.Assignments.AsNoTracking()
             where a.Id == assignmentId && a.RaterId == raterId && a.ComparisonId != null
             join p in db.Projects on a.ProjectId equals p.Id
             join c in db.Comparisons on a.ComparisonId equals c.Id
             select new VoteScene(a, p, c,
                 db.Users.Where(u => u.Id == raterId).Select(u => u.LockoutEnd).FirstOrDefault(),
                 db.Votes.Any(v => v.VoidedAtUtc == null && v.ComparisonId == a.ComparisonId && v.RaterId == raterId))) // Counted
            .SingleOrDefault()));

    public sealed record RaterAtHandOut(DateTimeOffset? LockoutEnd, long? LiveId);

    public sealed record ProjectForRater(Project Project, bool HasGold);

    public sealed record PickState(int RequiredVotes, bool Theirs, int Votes, int Leases, long? RatersLiveId);

    public sealed record ShownPair(string Prompt, string? MessagesJson, string A, bool ACutOff, string B, bool BCutOff, int DoneToday, int DoneInProject);

    public sealed record VoteScene(Assignment Assignment, Project Project, Comparison Comparison, DateTimeOffset? LockoutEnd, bool VotedBefore);
}
