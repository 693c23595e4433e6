using System.Diagnostics;

namespace Rlhf.Web.Api;

/// <summary>
/// Admins only: the site process's memory after a forced full, compacting garbage collection (managed heap, working
/// set, private bytes), for `rlhf bench circuits`; with <c>?trim=true</c> an aggressive one, which also gives the GC's
/// spare memory back to the system. Forcing a collection pauses the site briefly; nothing else changes.
/// </summary>
public static class DiagnosticsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/diagnostics/memory", (bool? trim) =>
            {
                // Aggressive (trim=true): the GC also gives the memory it keeps for later allocations back to the
                // system, as it does under memory pressure, so the process holds what its live objects need.
                var mode = trim == true ? GCCollectionMode.Aggressive : GCCollectionMode.Forced;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
                using var process = Process.GetCurrentProcess();
                return Results.Ok(new SiteMemory(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, process.PrivateMemorySize64));
            })
            .RequireAuthorization(ApiPolicies.Admin).WithTags("Diagnostics")
            .WithSummary("Admins: the site's managed heap, working set and private bytes after a forced full garbage collection (trim=true: an aggressive one, which gives spare memory back).")
            .Produces<SiteMemory>();
    }
}
