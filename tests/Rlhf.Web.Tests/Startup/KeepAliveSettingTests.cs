using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Rlhf.Web.Tests.Startup;

/// <summary>
/// Kestrel closes an idle keep-alive connection after 20 s (the top-level appsettings.json; Kestrel's own default is
/// 130 s). A rating page makes no HTTP request once it is loaded (all goes over its circuit), but the browser keeps the
/// connections it loaded the page with, and each idle one held about 9 kB of the site's memory, 7 per open page in
/// `bench circuits` (BENCHMARKS.md).
/// </summary>
public sealed class KeepAliveSettingTests
{
    [Fact]
    public void The_site_closes_idle_keep_alive_connections_after_20_seconds()
    {
        using var factory = new RlhfWebFactory();
        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(20), kestrel.Limits.KeepAliveTimeout);
    }
}
