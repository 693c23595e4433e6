using System.Diagnostics;

namespace Rlhf.Core.Telemetry;

/// <summary>
/// The platform's own traces (System.Diagnostics activity source "Rlhf"): spans of the rating path (a hand-out, a vote,
/// a skip) inside the HTTP or Blazor request that asked for them. The site exports them with OpenTelemetry when
/// <c>Telemetry:Traces:Enabled</c> is set (OTLP to <c>Telemetry:Traces:OtlpEndpoint</c>); with no listener a span costs
/// nothing (<see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null).
/// </summary>
public static class RlhfTracing
{
    public const string SourceName = "Rlhf";

    public static readonly ActivitySource Source = new(SourceName);
}
