using Rlhf.Data.Audit;

namespace Rlhf.Web.Api;

/// <summary>Admins over the API: the audit trail as the Audit page reads it, newest first.</summary>
public static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (string? filter, int? skip, int? take, AuditLog log, CancellationToken ct) =>
                Results.Ok(await log.ReadAsync(filter, Math.Max(0, skip ?? 0), take ?? 100, ct)))
            .RequireAuthorization(ApiPolicies.Admin).WithTags("Admin: audit")
            .WithSummary("Admins: audit events, newest first, optionally only those whose action, target, actor or details contain filter (take 1-500, default 100).")
            .Produces<AuditPage>();
    }
}
