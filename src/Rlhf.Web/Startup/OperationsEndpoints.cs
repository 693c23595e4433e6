using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Rlhf.Core.Telemetry;
using Rlhf.Data.Database;

namespace Rlhf.Web.Startup;

/// <summary>
/// Operations: OpenTelemetry metrics (the platform's meter, ASP.NET Core's and the runtime's) exported for Prometheus on
/// /metrics (see <see cref="MetricsAccess"/>), the gauge sampler, the health (/healthz: the process answers) and
/// readiness (/readyz: <see cref="Readiness"/>) endpoints, and, when <c>Telemetry:Traces:Enabled</c>, traces (ASP.NET
/// Core's request spans with the rating path's spans of <see cref="RlhfTracing"/> inside) sent by OTLP to
/// <c>Telemetry:Traces:OtlpEndpoint</c> (a collector, Jaeger, Tempo...).
/// </summary>
public static class OperationsEndpoints
{
    /// <summary>Histogram buckets for the platform's durations in seconds: 1 ms to 30 s.</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public const string TracesSection = "Telemetry:Traces";

    public static void AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<OperationsSampler>();
        var telemetry = services.AddOpenTelemetry();
        if (configuration.GetValue($"{TracesSection}:Enabled", false))
        {
            var endpoint = configuration[$"{TracesSection}:OtlpEndpoint"];
            if (endpoint is { Length: > 0 } && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
                throw new StartupConfigurationException($"{TracesSection}:OtlpEndpoint must be an absolute URI such as http://collector:4317, not '{endpoint}'.");
            telemetry.WithTracing(traces =>
            {
                traces.AddSource(RlhfTracing.SourceName).AddAspNetCoreInstrumentation();
                if (endpoint is { Length: > 0 }) traces.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            });
        }
        telemetry.WithMetrics(metrics => metrics
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
