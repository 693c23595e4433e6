using System.Text.Json;

namespace Rlhf.Web.Tests.Startup;

/// <summary>
/// The site runs with workstation GC: server GC's larger per-core heaps made each open rating page cost ~0.75 MB more
/// resident memory at the same CPU a vote (`bench circuits` / `bench load`, BENCHMARKS.md).
/// </summary>
public sealed class GarbageCollectorSettingTests
{
    [Fact]
    public void The_site_is_built_for_workstation_concurrent_gc()
    {
        // The site's runtimeconfig.json is copied beside this test assembly with Rlhf.Web.dll.
        var path = Path.Combine(AppContext.BaseDirectory, "Rlhf.Web.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var options = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(options.GetProperty("System.GC.Server").GetBoolean());
        Assert.True(options.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
