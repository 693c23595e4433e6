using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Data.Database;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Rating;

/// <summary>
/// Adaptive overlap from a comparison's counted votes as they are saved now, in submission order: k, or up to k + m
/// when the first k disagree (<see cref="AdaptiveOverlap.RequiredVotes"/>). A vote, and a change or undo of one, set the
/// comparison's required votes from it inside their write transaction.
/// </summary>
internal static class AdaptiveOverlapVotes
{
    /// <summary>The votes the comparison needs now, and how many counted votes it has (0 when the project is not adaptive: none are read).</summary>
    public static async Task<(int Required, int Counted)> RequiredVotesAsync(RlhfDbContext db, Project project, long comparisonId, CancellationToken ct)
    {
        var strengths = project.AdaptiveExtraRaters == 0 ? [] // k stands whatever the votes say
            : await db.Votes.AsNoTracking().Counted().Where(v => v.ComparisonId == comparisonId)
                .OrderBy(v => v.SubmittedAtUtc).ThenBy(v => v.Id).Select(v => v.Strength).ToListAsync(ct);
        return (AdaptiveOverlap.RequiredVotes(project.Overlap, project.AdaptiveExtraRaters, project.AdaptiveThreshold, strengths), strengths.Count);
    }
}
