using System.Diagnostics;

namespace Rlhf.Web.Api;

/// <summary>
/// Admins only: the site process's memory after a forced full, compacting garbage collection (managed heap, working
/// set, private bytes), for `rlhf bench circuits`. Forcing a collection pauses the site briefly; nothing else changes.
/// </summary>
public static class DiagnosticsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/diagnostics/memory", () =>
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                using var process = Process.GetCurrentProcess();
                return Results.Ok(new SiteMemory(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, process.PrivateMemorySize64));
            })
            .RequireAuthorization(ApiPolicies.Admin).WithTags("Diagnostics")
            .WithSummary("Admins: the site's managed heap, working set and private bytes after a forced full garbage collection.")
            .Produces<SiteMemory>();
    }
}
