using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Rlhf.Core.Identity;
using Rlhf.Data.Database;
using Rlhf.Web.Startup;
using Rlhf.Web.Tests.Api;

namespace Rlhf.Web.Tests.Startup;

/// <summary>
/// Traces of the rating path: with <c>Telemetry:Traces:Enabled</c> a hand-out and a vote through the API are spans of
/// the platform's source inside ASP.NET Core's request spans (same trace, parent = the request), tagged with what
/// happened; the group commit that wrote them is a span linked to them; a bad OTLP endpoint stops the start with one line naming the setting.
/// </summary>
public class TracingTests
{
    [Fact]
    public async Task A_hand_out_and_a_vote_are_spans_inside_their_HTTP_requests()
    {
        var spans = new List<Activity>();
        await using var factory = new RlhfWebFactory(new() { ["Telemetry:Traces:Enabled"] = "true" })
        {
            TestServices = s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)),
        };
        var (raterId, raterToken) = await ApiScene.UserWithTokenAsync(factory, "traced@example.test", Roles.Rater);
        await ApiScene.ProjectForRatersAsync(factory, raterId);
        var rater = ApiScene.Api(factory, raterToken);
        // The tracer listens to the whole process, so other tests' sites add their spans to the list too: this test's
        // requests come in with a trace of their own (a W3C traceparent header), and only spans of that trace count.
        var trace = ActivityTraceId.CreateRandom();
        HttpRequestMessage InTrace(HttpMethod method, string path, HttpContent? content = null)
        {
            var message = new HttpRequestMessage(method, path) { Content = content };
            message.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            return message;
        }
        var nextResponse = await rater.SendAsync(InTrace(HttpMethod.Get, "/api/v1/assignments/next"));
        var next = await nextResponse.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var assignment = next.GetProperty("assignmentId").GetInt64();
        Assert.True((await rater.SendAsync(InTrace(HttpMethod.Post, $"/api/v1/assignments/{assignment}/vote", JsonContent.Create(new { choice = 1 })))).IsSuccessStatusCode);

        // Spans are exported when they end; the request span ends just after its response is sent.
        Activity Span(Func<Activity, bool> match, string what, bool inTrace = true)
        {
            for (var i = 0; i < 100; i++)
            {
                lock (spans) if (spans.FirstOrDefault(a => (!inTrace || a.TraceId == trace) && match(a)) is { } found) return found;
                Thread.Sleep(50);
            }
            lock (spans) throw new Xunit.Sdk.XunitException($"no span {what} in the test's trace; exported there: {string.Join(", ", spans.Where(s => s.TraceId == trace).Select(s => s.DisplayName))}");
        }
        var handOut = Span(a => a.OperationName == "rating.handout", "rating.handout");
        var vote = Span(a => a.OperationName == "rating.vote", "rating.vote");
        Assert.Equal(("assigned", (long?)assignment, "Stored"), ((string?)handOut.GetTagItem("rlhf.outcome"), (long?)vote.GetTagItem("rlhf.assignment_id"), (string?)vote.GetTagItem("rlhf.outcome")));
        var request = Span(a => a.Kind == ActivityKind.Server && a.SpanId == vote.ParentSpanId, "the vote's request");
        Assert.Equal(vote.TraceId, request.TraceId);
        Assert.Contains("vote", request.DisplayName);
        // The vote was written in a group commit: a span of its own trace (it serves many requests), linked to the vote.
        var commit = Span(a => a.OperationName == "rating.commit" && a.Links.Any(l => l.Context.SpanId == vote.SpanId), "rating.commit linked to the vote", inTrace: false);
        Assert.Equal(default, commit.ParentSpanId);
        Assert.True((int)commit.GetTagItem("rlhf.writes")! >= 1);
    }

    [Fact]
    public void A_bad_OTLP_endpoint_is_refused_at_start_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telemetry:Traces:Enabled"] = "true", ["Telemetry:Traces:OtlpEndpoint"] = "not a uri",
        }).Build();
        var ex = Assert.Throws<StartupConfigurationException>(() => new ServiceCollection().AddOperations(configuration));
        Assert.Equal("Telemetry:Traces:OtlpEndpoint must be an absolute URI such as http://collector:4317, not 'not a uri'.", ex.Message);
    }
}
