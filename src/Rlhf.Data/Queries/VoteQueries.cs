using Rlhf.Core.Rating;

namespace Rlhf.Data.Queries;

/// <summary>Which <see cref="Vote"/>s count, as a filter EF Core translates to SQL.</summary>
public static class VoteQueries
{
    /// <summary>The votes that count: every vote an admin has not voided.</summary>
    public static IQueryable<Vote> Counted(this IQueryable<Vote> votes) => votes.Where(v => v.VoidedAtUtc == null);
}
