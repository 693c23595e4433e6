using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Jobs;
using Rlhf.Data;
using Rlhf.Data.Audit;
using Rlhf.Data.Queries;

namespace Rlhf.Jobs.Runner;

/// <summary>
/// The durable job queue in the database. Claims are leases: a runner owns a job while it keeps heart-beating;
/// a job whose lease ran out may be taken over (resumed) or is failed with the reason shown.
/// </summary>
public sealed class JobQueue(IDbContextFactory<RlhfDbContext> contexts, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task<Job> EnqueueAsync<T>(string kind, T payload, string? createdById, CancellationToken ct = default) =>
        EnqueueAsync(kind, payload, createdById, null, ct);

    /// <summary>Queues a job; <paramref name="projectId"/> names the project it works on, so only its members see and cancel it.</summary>
    public async Task<Job> EnqueueAsync<T>(string kind, T payload, string? createdById, int? projectId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var job = new Job
        {
            Kind = kind,
            PayloadJson = JsonSerializer.Serialize(payload, Json),
            Status = JobStatus.Queued,
            CreatedAtUtc = Now,
            CreatedById = createdById,
            ProjectId = projectId,
            Message = "queued",
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>
    /// Takes the oldest queued job of a kind in <paramref name="canResume"/> (kind → whether its handler can resume),
    /// or a running one whose lease ran out (resumed when its handler can, else failed with the reason). Null when
    /// there is nothing to do. Every claim is a conditional update, so two runners never both take a job; on PostgreSQL
    /// the candidates are also read <c>FOR NO KEY UPDATE SKIP LOCKED</c>, so runners on several machines each take a
    /// different job at once instead of racing for the same row.
    /// </summary>
    public async Task<Job?> ClaimAsync(string owner, IReadOnlyDictionary<string, bool> canResume, TimeSpan lease, int maxAttempts, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        var kinds = canResume.Keys.ToArray();
        var log = new List<(long JobId, string Level, string Message)>();
        Job? taken = null;
        // PostgreSQL: one transaction holds the candidate rows until the claim commits. SQLite: no transaction, as before
        // (an immediate one would take the database's write lock at every poll); the conditional updates decide alone.
        await using (var tx = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null)
        {
            var candidates = await CandidatesAsync(db, kinds, now, ct);
            foreach (var c in candidates)
            {
                if (c.Status == JobStatus.Running)
                {
                    var reason = !canResume[c.Kind]
                        ? $"The runner {c.LeaseOwner} stopped while this job ran (last heartbeat {c.HeartbeatAtUtc:u}); this kind of job cannot resume."
                        : c.Attempts >= maxAttempts
                            ? $"The runner stopped while this job ran, {c.Attempts} times; giving up after {maxAttempts} attempts."
                            : null;
                    if (reason is not null)
                    {
                        var failed = await db.Jobs.Where(j => j.Id == c.Id && j.Status == JobStatus.Running && j.LeaseExpiresAtUtc < now)
                            .ExecuteUpdateAsync(s => s
                                .SetProperty(j => j.Status, JobStatus.Failed)
                                .SetProperty(j => j.Error, reason)
                                .SetProperty(j => j.Message, "failed")
                                .SetProperty(j => j.FinishedAtUtc, now)
                                .SetProperty(j => j.LeaseOwner, (string?)null), ct);
                        if (failed == 1) log.Add((c.Id, "error", reason));
                        continue;
                    }
                }

                var wasRunning = c.Status == JobStatus.Running;
                var claimed = await db.Jobs
                    .Where(j => j.Id == c.Id &&
                                (j.Status == JobStatus.Queued || (j.Status == JobStatus.Running && j.LeaseExpiresAtUtc < now)))
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(j => j.Status, JobStatus.Running)
                        .SetProperty(j => j.LeaseOwner, owner)
                        .SetProperty(j => j.LeaseExpiresAtUtc, now + lease)
                        .SetProperty(j => j.HeartbeatAtUtc, now)
                        .SetProperty(j => j.StartedAtUtc, j => j.StartedAtUtc ?? now)
                        .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                        .SetProperty(j => j.Message, wasRunning ? "resuming" : "started"), ct);
                if (claimed == 1)
                {
                    log.Add((c.Id, wasRunning ? "warning" : "info",
                        wasRunning ? $"Resumed by {owner} after the previous runner stopped." : $"Started by {owner}."));
                    taken = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == c.Id, ct);
                    break;
                }
            }
            if (tx is not null) await tx.CommitAsync(ct);
        }
        // Logged after the commit: a log row's foreign key would wait on the job rows this transaction held.
        foreach (var (jobId, level, message) in log) await LogAsync(jobId, level, message, ct);
        return taken;
    }

    /// <summary>
    /// The oldest jobs a runner may take now. PostgreSQL: the oldest one no other runner holds, locked for this
    /// transaction (one row, so runners claiming at the same moment each get another job instead of finding all the
    /// candidates locked by the first); SQLite: the oldest 20, the conditional update decides.
    /// </summary>
    private static Task<List<Job>> CandidatesAsync(RlhfDbContext db, string[] kinds, DateTime now, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            var (queued, running) = (JobStatus.Queued.ToString(), JobStatus.Running.ToString());
            return db.Jobs.FromSql($"""
                SELECT * FROM "Jobs"
                WHERE "Kind" = ANY({kinds}) AND ("Status" = {queued} OR ("Status" = {running} AND "LeaseExpiresAtUtc" < {now}))
                ORDER BY "Id" LIMIT 1
                FOR NO KEY UPDATE SKIP LOCKED
                """).AsNoTracking().ToListAsync(ct);
        }
        return db.Jobs.AsNoTracking()
            .Where(j => kinds.Contains(j.Kind) &&
                        (j.Status == JobStatus.Queued || (j.Status == JobStatus.Running && j.LeaseExpiresAtUtc < now)))
            .OrderBy(j => j.Id).Take(20).ToListAsync(ct);
    }

    /// <summary>Extends the lease. Returns false when this runner no longer owns the job; sets cancel when asked.</summary>
    public async Task<(bool Owned, bool CancelRequested)> HeartbeatAsync(long jobId, string owner, TimeSpan lease, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        var rows = await db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAtUtc, now + lease).SetProperty(j => j.HeartbeatAtUtc, now), ct);
        if (rows == 0) return (false, false);
        var cancel = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.CancelRequested).SingleAsync(ct);
        return (true, cancel);
    }

    public async Task ReportAsync(long jobId, string owner, double progress, string? message, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var p = Math.Clamp(progress, 0, 1);
        await db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Progress, p).SetProperty(j => j.Message, message), ct);
    }

    public async Task FinishAsync(long jobId, string owner, JobStatus status, string? error, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        await db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.Progress, j => status == JobStatus.Succeeded ? 1 : j.Progress)
                .SetProperty(j => j.Message, status.ToString().ToLowerInvariant())
                .SetProperty(j => j.FinishedAtUtc, now)
                .SetProperty(j => j.LeaseOwner, (string?)null), ct);
    }

    /// <summary>
    /// Cancels a queued job at once; asks a running one to stop (its runner sees it at the next heartbeat).
    /// Returns false when the job has already ended.
    /// </summary>
    public Task<bool> RequestCancelAsync(long jobId, CancellationToken ct = default) => RequestCancelAsync(jobId, null, ct);

    /// <summary>As <see cref="RequestCancelAsync(long, CancellationToken)"/>, for a job <paramref name="viewer"/> may see (else false).</summary>
    public async Task<bool> RequestCancelAsync(long jobId, AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = Now;
        if (!await db.Jobs.VisibleTo(db, viewer).AnyAsync(j => j.Id == jobId, ct)) return false;
        var queued = await db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Cancelled).SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.Message, "cancelled").SetProperty(j => j.FinishedAtUtc, now), ct);
        if (queued == 1) return true;
        var running = await db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true).SetProperty(j => j.Message, "cancelling"), ct);
        return running == 1;
    }

    public async Task LogAsync(long jobId, string level, string message, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.JobLogEntries.Add(new JobLogEntry { JobId = jobId, AtUtc = Now, Level = level, Message = message });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Stores a step's metrics. A value already stored for the same step and name is replaced: a resumed run redoes the
    /// steps after its last checkpoint, and the redone values are the ones its model carries.
    /// </summary>
    public async Task AddMetricsAsync(long jobId, long step, IReadOnlyDictionary<string, double> values, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var names = values.Keys.ToList();
        await db.JobMetrics.Where(m => m.JobId == jobId && m.Step == step && names.Contains(m.Name)).ExecuteDeleteAsync(ct);
        var now = Now;
        foreach (var (name, value) in values)
            db.JobMetrics.Add(new JobMetric { JobId = jobId, Step = step, Name = name, Value = value, AtUtc = now });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public Task<Job?> GetAsync(long jobId, CancellationToken ct = default) => GetAsync(jobId, null, ct);

    /// <summary>The job, or null when there is none that <paramref name="viewer"/> may see.</summary>
    public async Task<Job?> GetAsync(long jobId, AuditActor? viewer, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().VisibleTo(db, viewer).SingleOrDefaultAsync(j => j.Id == jobId, ct);
    }

    /// <summary>The newest jobs <paramref name="viewer"/> may see, newest first.</summary>
    public async Task<IReadOnlyList<Job>> ListAsync(AuditActor? viewer, int take = 100, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().VisibleTo(db, viewer).OrderByDescending(j => j.Id).Take(take).ToListAsync(ct);
    }

    /// <summary>The jobs the viewer may see, newest first, with their names and who started them (the Jobs page).</summary>
    public async Task<IReadOnlyList<JobListing>> ListWithOwnersAsync(AuditActor? viewer, int take = 100, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ListingsAsync(db, db.Jobs.AsNoTracking().VisibleTo(db, viewer), take, ct);
    }

    /// <summary>The newest jobs of one project the viewer may see (generation, imports, runs), newest first, with their names and owners.</summary>
    public async Task<IReadOnlyList<JobListing>> ListForProjectAsync(int projectId, AuditActor? viewer, int take = 5, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await ListingsAsync(db, db.Jobs.AsNoTracking().VisibleTo(db, viewer).Where(j => j.ProjectId == projectId), take, ct);
    }

    /// <summary>The newest <paramref name="take"/> of <paramref name="jobs"/>, newest first, with their names and who started them.</summary>
    private static async Task<IReadOnlyList<JobListing>> ListingsAsync(RlhfDbContext db, IQueryable<Job> jobs, int take, CancellationToken ct)
    {
        var rows = await jobs.OrderByDescending(j => j.Id).Take(take)
            .Select(j => new { Job = j, Owner = db.Users.Where(u => u.Id == j.CreatedById).Select(u => u.Email).FirstOrDefault() })
            .ToListAsync(ct);
        return rows.Select(r => new JobListing(r.Job, JobListing.NameOf(r.Job.PayloadJson), r.Owner)).ToList();
    }

    /// <summary>Every metric of a job in step order (for curves).</summary>
    public async Task<IReadOnlyList<JobMetric>> ReadMetricsAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.JobMetrics.AsNoTracking().Where(m => m.JobId == jobId).OrderBy(m => m.Step).ThenBy(m => m.Id).ToListAsync(ct);
    }

    /// <summary>Jobs of one kind, newest first.</summary>
    public async Task<IReadOnlyList<Job>> ListAsync(string kind, int take = 100, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Jobs.AsNoTracking().Where(j => j.Kind == kind).OrderByDescending(j => j.Id).Take(take).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<JobLogEntry>> ReadLogAsync(long jobId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.JobLogEntries.AsNoTracking().Where(l => l.JobId == jobId).OrderBy(l => l.Id).ToListAsync(ct);
    }
}
