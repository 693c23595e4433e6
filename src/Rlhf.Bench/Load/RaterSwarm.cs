using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Load;

/// <summary>
/// C simulated raters over HTTP only, split across one or more site processes on one database, each looping GET /api/v1/assignments/next then POST /api/v1/assignments/{id}/vote
/// with their own bearer token, as fast as the server answers. Votes and latencies count when
/// a vote is acknowledged between the end of the warm-up and the end of the run.
/// </summary>
internal sealed class RaterSwarm(IReadOnlyList<Uri> sites, IReadOnlyList<RaterAccount> raters, LoadOptions options)
{
    /// <summary>A rater stops after this many error answers in a row (a broken server, not a busy one).</summary>
    private const int MaxConsecutiveErrors = 50;
    /// <summary>A rater stops when the site has not answered at all for this long (a restart takes seconds).</summary>
    private static readonly TimeSpan GiveUpUnreachable = TimeSpan.FromSeconds(60);

    public async Task<LoadOutcome> RunAsync(CancellationToken ct)
    {
        // One client per site; rater i always talks to site i mod N, as a sticky load balancer would keep them.
        var clients = sites.Select(site => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, raters.Count),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        }) { BaseAddress = site, Timeout = TimeSpan.FromSeconds(60) }).ToList();
        try
        {
            return await RunAsync(clients, ct);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private async Task<LoadOutcome> RunAsync(IReadOnlyList<HttpClient> clients, CancellationToken ct)
    {
        var outcome = new LoadOutcome(clients.Count);
        var clock = Stopwatch.StartNew();
        var warmupEnd = TimeSpan.FromSeconds(options.WarmupSeconds);
        var end = options.VotesPerRater is null ? warmupEnd + TimeSpan.FromSeconds(options.DurationSeconds) : TimeSpan.MaxValue;
        var perRater = await Task.WhenAll(raters.Select((r, i) => Task.Run(() => RateAsync(clients[i % clients.Count], r, i, clock, warmupEnd, end, outcome, ct), ct)));

        var finished = clock.Elapsed;
        outcome.MeasuredSeconds = Math.Max(0.001, ((finished < end ? finished : end) - warmupEnd).TotalSeconds);
        foreach (var samples in perRater)
        {
            outcome.Next.AddRange(samples.Next);
            outcome.Vote.AddRange(samples.Vote);
            outcome.Pair.AddRange(samples.Pair);
            outcome.MeasuredVotes += samples.Votes;
            if (samples.OutOfWork) outcome.RatersOutOfWork++;
        }
        return outcome;
    }

    private sealed class RaterSamples
    {
        public LatencySamples Next { get; } = new();
        public LatencySamples Vote { get; } = new();
        public LatencySamples Pair { get; } = new();
        public int Votes { get; set; }
        public bool OutOfWork { get; set; }
    }

    private async Task<RaterSamples> RateAsync(HttpClient http, RaterAccount rater, int index, Stopwatch clock, TimeSpan warmupEnd, TimeSpan end,
        LoadOutcome outcome, CancellationToken ct)
    {
        var samples = new RaterSamples();
        var random = new Random(index);
        var auth = new AuthenticationHeaderValue("Bearer", rater.Secret);
        var done = 0;
        var consecutiveErrors = 0;
        var lastAnswer = clock.Elapsed;
        while (!ct.IsCancellationRequested && clock.Elapsed < end && (options.VotesPerRater is not { } cap || done < cap)
               && consecutiveErrors < MaxConsecutiveErrors && clock.Elapsed - lastAnswer < GiveUpUnreachable)
        {
            var started = clock.Elapsed;
            long assignmentId;
            using (var next = new HttpRequestMessage(HttpMethod.Get, "api/v1/assignments/next"))
            {
                next.Headers.Authorization = auth;
                var (status, body) = await SendAsync(http, next, outcome, "next", ct);
                if (status is null) { await UnreachableAsync(ct); continue; }   // the site is down (e.g. killed): wait, try again
                lastAnswer = clock.Elapsed;
                if (status == HttpStatusCode.NoContent) { samples.OutOfWork = true; break; }
                if (status != HttpStatusCode.OK) { consecutiveErrors++; continue; }
                assignmentId = body.GetProperty("assignmentId").GetInt64();
            }
            var afterNext = clock.Elapsed;
            using (var vote = new HttpRequestMessage(HttpMethod.Post, $"api/v1/assignments/{assignmentId}/vote"))
            {
                vote.Headers.Authorization = auth;
                vote.Content = JsonContent.Create(new { choice = random.Next(-2, 3), bothBad = false, rationale = "" });
                var (status, body) = await SendAsync(http, vote, outcome, "vote", ct);
                // Unanswered: not acknowledged (it may have been stored; the check allows that, never a loss or a duplicate).
                if (status is null) { await UnreachableAsync(ct); continue; }
                lastAnswer = clock.Elapsed;
                if (status != HttpStatusCode.OK) { consecutiveErrors++; continue; }
                outcome.Acknowledged[assignmentId] = body.GetProperty("voteId").GetInt64();
                Interlocked.Increment(ref outcome.AcknowledgedBySite[index % outcome.AcknowledgedBySite.Length]);
            }
            var afterVote = clock.Elapsed;
            consecutiveErrors = 0;
            done++;
            if (afterVote >= warmupEnd && afterVote <= end) // a vote counts in the window it was acknowledged in
            {
                samples.Next.Add((afterNext - started).TotalMilliseconds);
                samples.Vote.Add((afterVote - afterNext).TotalMilliseconds);
                samples.Pair.Add((afterVote - started).TotalMilliseconds);
                samples.Votes++;
            }
        }
        return samples;
    }

    private static async Task UnreachableAsync(CancellationToken ct)
    {
        try { await Task.Delay(100, ct); } catch (TaskCanceledException) { }
    }

    /// <summary>Sends and reads the whole body; a failure is counted under "{call} {status}" or "{call} {exception}".</summary>
    private static async Task<(HttpStatusCode? Status, JsonElement Body)> SendAsync(HttpClient http, HttpRequestMessage request, LoadOutcome outcome, string call, CancellationToken ct)
    {
        try
        {
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode is HttpStatusCode.OK)
                return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
            if (response.StatusCode is not HttpStatusCode.NoContent) outcome.CountError($"{call} {(int)response.StatusCode}");
            return (response.StatusCode, default);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException && !ct.IsCancellationRequested)
        {
            outcome.CountError($"{call} {ex.GetType().Name}");
            return (null, default);
        }
    }
}
