using Microsoft.EntityFrameworkCore;
using Rlhf.Data.Queries;

namespace Rlhf.Data.Demonstrations;

/// <summary>The demonstrations of a project that count, with their prompts, in a stable order: what the SFT export writes and SFT runs train on.</summary>
public static class DemonstrationData
{
    public static Task<List<CountedDemonstration>> CountedAsync(RlhfDbContext db, int projectId, CancellationToken ct) =>
        db.Demonstrations.AsNoTracking().Counted(db).Where(d => d.ProjectId == projectId)
            .Join(db.Prompts, d => d.PromptId, p => p.Id, (d, p) => new { d, p })
            .OrderBy(x => x.p.Id).ThenBy(x => x.d.Id)
            .Select(x => new CountedDemonstration(x.d.Id, x.p.Id, x.p.Text, x.p.MessagesJson, x.d.Text))
            .ToListAsync(ct);
}
