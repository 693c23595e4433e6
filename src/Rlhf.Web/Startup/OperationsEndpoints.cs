using OpenTelemetry.Metrics;
using Rlhf.Core.Telemetry;

namespace Rlhf.Web.Startup;

/// <summary>
/// Operations: OpenTelemetry metrics (the platform's meter, ASP.NET Core's and the runtime's) exported for Prometheus on
/// /metrics (see <see cref="MetricsAccess"/>), the gauge sampler, and the health (/healthz: the process answers) and
/// readiness (/readyz: <see cref="Readiness"/>) endpoints.
/// </summary>
public static class OperationsEndpoints
{
    /// <summary>Histogram buckets for the platform's durations in seconds: 1 ms to 30 s.</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public static void AddOperations(this IServiceCollection services)
    {
        services.AddHostedService<OperationsSampler>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RlhfMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddView(i => i.Meter.Name == RlhfMetrics.MeterName && i.Unit == "s"
                ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets } : null)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0)); // each scrape is current
    }

    /// <summary>Access to /metrics is checked first, so call this after UseAuthentication.</summary>
    public static void UseOperations(this WebApplication app) => app.UseMetricsAccess(app.Configuration);

    public static void MapOperations(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", Readiness.CheckAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint(MetricsAccess.Path).AllowAnonymous(); // admins or the scrape token: MetricsAccess
    }
}
