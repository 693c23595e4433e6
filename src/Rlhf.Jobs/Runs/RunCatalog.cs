using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;
using Rlhf.Data.Hosting;

namespace Rlhf.Jobs.Runs;

/// <summary>Reads runs (jobs of a <see cref="RunKind"/>) as <see cref="RunSummary"/>s, and their artifacts.</summary>
public sealed class RunCatalog(IDbContextFactory<RlhfDbContext> contexts, RlhfPaths paths)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The newest runs of every kind, newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(AuditActor? viewer, int take = 100, CancellationToken ct = default)
    {
        var kinds = RunKind.All.Select(k => k.JobKind).ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var jobs = await db.Jobs.AsNoTracking().VisibleTo(db, viewer).Where(j => kinds.Contains(j.Kind)).OrderByDescending(j => j.Id).Take(take).ToListAsync(ct);
        var runs = new List<RunSummary>(jobs.Count);
        foreach (var job in jobs) runs.Add(await SummarizeAsync(db, job, ct));
        return runs;
    }

    /// <summary>The run of job <paramref name="id"/>, or null when there is no such job or it is not a run.</summary>
    public Task<RunSummary?> GetAsync(long id, CancellationToken ct = default) => GetAsync(id, null, ct);

    /// <summary>As <see cref="GetAsync(long, CancellationToken)"/>, null too when <paramref name="viewer"/> may not see the run.</summary>
    public async Task<RunSummary?> GetAsync(long id, AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var job = await db.Jobs.AsNoTracking().VisibleTo(db, viewer).SingleOrDefaultAsync(j => j.Id == id, ct);
        return job is null || RunKind.OfJob(job.Kind) is null ? null : await SummarizeAsync(db, job, ct);
    }

    /// <summary>The run's folder layout.</summary>
    public RunArtifacts ArtifactsOf(long id) => RunArtifacts.Of(paths, id);

    private static async Task<RunSummary> SummarizeAsync(RlhfDbContext db, Job job, CancellationToken ct)
    {
        var kind = RunKind.OfJob(job.Kind)!;
        IRunSettings? settings;
        try { settings = kind.ReadSettings(job.PayloadJson); }
        catch (JsonException) { settings = null; }
        var metrics = new Dictionary<string, double>();
        foreach (var name in kind.KeyMetrics)
        {
            var latest = await db.JobMetrics.AsNoTracking().Where(m => m.JobId == job.Id && m.Name == name)
                .OrderByDescending(m => m.Step).ThenByDescending(m => m.Id).Select(m => (double?)m.Value).FirstOrDefaultAsync(ct);
            if (latest is { } value) metrics[name] = value;
        }
        return new RunSummary
        {
            Id = job.Id, Kind = kind, Name = settings?.Name ?? "", Status = job.Status, Progress = job.Progress, Message = job.Message,
            Error = job.Error, CancelRequested = job.CancelRequested, CreatedAtUtc = job.CreatedAtUtc, StartedAtUtc = job.StartedAtUtc,
            FinishedAtUtc = job.FinishedAtUtc, Settings = settings, SettingsJson = Pretty(job.PayloadJson),
            KeySettings = settings?.KeySettings() ?? [], KeyMetrics = metrics,
        };
    }

    private static string Pretty(string json)
    {
        try { return JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, Indented); }
        catch (JsonException) { return json; }
    }
}
