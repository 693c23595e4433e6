using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;

namespace Rlhf.Jobs.Runs;

/// <summary>
/// The pace of the latest succeeded run of a kind that <paramref name="Viewer"/> may see: its running time over the
/// last step it logged metrics for. A plan's time estimate is that pace times its steps; a rough figure, since the
/// model, batch and machine load may differ.
/// </summary>
public sealed record RunPace(long JobId, TimeSpan PerStep)
{
    /// <summary>The pace, or null when no run of <paramref name="kind"/> has finished with a logged step.</summary>
    public static async Task<RunPace?> LatestAsync(RlhfDbContext db, RunKind kind, AuditActor? viewer, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().VisibleTo(db, viewer)
            .Where(j => j.Kind == kind.JobKind && j.Status == JobStatus.Succeeded && j.StartedAtUtc != null && j.FinishedAtUtc != null)
            .OrderByDescending(j => j.Id).Select(j => new { j.Id, j.StartedAtUtc, j.FinishedAtUtc }).FirstOrDefaultAsync(ct);
        if (job is null) return null;
        var lastStep = await db.JobMetrics.Where(m => m.JobId == job.Id).MaxAsync(m => (long?)m.Step, ct) ?? 0;
        if (lastStep < 1) return null;
        return new RunPace(job.Id, (job.FinishedAtUtc!.Value - job.StartedAtUtc!.Value) / lastStep);
    }

    /// <summary>The estimate for <paramref name="steps"/> and its basis, as <see cref="RunPlan"/> holds them.</summary>
    public static (TimeSpan? Time, string Basis) Estimate(RunPace? pace, long steps, string stepUnit) => pace is null
        ? (null, "no finished run of this kind to estimate the time from")
        : (pace.PerStep * steps, $"at the pace of run {pace.JobId}, {pace.PerStep.TotalSeconds:0.##} s per {stepUnit.TrimEnd('s')}");
}
