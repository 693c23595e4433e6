using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Audit;

namespace Rlhf.Data.Audit;

/// <summary>Appends to and reads the audit trail. Events are never changed or deleted.</summary>
public sealed class AuditLog(RlhfDbContext db)
{
    public async Task RecordAsync(AuditActor? actor, string action, string target, string details, CancellationToken ct = default)
    {
        Add(db, actor, action, target, details);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Adds the event to <paramref name="context"/> without saving, so it is stored by the caller's own
    /// SaveChanges, inside the caller's transaction (all or nothing with the change it records).
    /// </summary>
    public static void Add(RlhfDbContext context, AuditActor? actor, string action, string target, string details) =>
        context.AuditEvents.Add(new AuditEvent
        {
            AtUtc = DateTime.UtcNow,
            ActorId = actor?.UserId,
            ActorName = actor?.Name ?? "system",
            Action = action,
            Target = target,
            Details = details,
        });

    /// <summary>Newest first, optionally filtered by a text that the action, target, actor or details contain.</summary>
    public async Task<AuditPage> ReadAsync(string? filter, int skip, int take, CancellationToken ct = default)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var f = filter.Trim();
            query = query.Where(a => a.Action.Contains(f) || a.Target.Contains(f) || a.ActorName.Contains(f) || a.Details.Contains(f));
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(a => a.Id).Skip(skip).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
        return new AuditPage(items, total);
    }
}
