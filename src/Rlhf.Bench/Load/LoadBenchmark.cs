using System.Text.Json.Nodes;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Load;

/// <summary>
/// One `bench load` level: fresh site processes (one, or several sharing the database, raters split between them) over
/// a fresh SQLite file or PostgreSQL database, a campaign of N comparisons with overlap k, C raters with API tokens, C
/// concurrent rating loops over HTTP, then the database check of every acknowledged vote. Before the load, the
/// database's rate of durable single-row commits (<see cref="CommitProbe"/>), to read votes/s against.
/// </summary>
internal static class LoadBenchmark
{
    /// <summary>The site's settings for a load run: the per-user API limit raised far above what a rater loop sends.</summary>
    public static readonly IReadOnlyDictionary<string, string> SiteSettings = new Dictionary<string, string>
    {
        ["Api__RequestsPerMinute"] = "1000000",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Metrics__ScrapeToken"] = SiteMetrics.ScrapeToken,
    };

    public static async Task<(JsonObject Result, bool Passed)> RunAsync(string siteDll, LoadOptions options, CancellationToken ct)
    {
        await using var database = options.PostgresServer is { } server ? await BenchDatabase.PostgresAsync(server, ct) : BenchDatabase.Sqlite();
        var sites = new List<SiteServer>();
        try
        {
            // One after the other: the first migrates the new database, the others find it migrated.
            for (var i = 0; i < options.Sites; i++) sites.Add(await SiteServer.StartAsync(siteDll, "Production", SiteSettings, ct, database));
            return await RunAsync(database, sites, options, ct);
        }
        finally
        {
            foreach (var site in sites) await site.DisposeAsync();
        }
    }

    private static async Task<(JsonObject Result, bool Passed)> RunAsync(BenchDatabase database, IReadOnlyList<SiteServer> sites, LoadOptions options, CancellationToken ct)
    {
        int projectId;
        IReadOnlyList<RaterAccount> raters;
        await using (var data = new SiteDatabase(database))
        {
            var seeder = new CampaignSeeder(data);
            await seeder.SeedProjectAsync("Load benchmark", options.Comparisons, options.Overlap, ct);
            raters = await seeder.AddTokenRatersAsync(options.Concurrency, ct);
            projectId = seeder.ProjectId;
        }
        // The disk's own rate of durable single-row commits, measured before the load on the same database.
        var commitsPerSecond = await CommitProbe.CommitsPerSecondAsync(database, ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the measured phase is the site's alone

        var load = MachineLoad.Now();
        // CPU is read when the warm-up ends (JIT and EF's query compilation fall inside it) and when the run ends.
        TimeSpan SitesCpu() => sites.Aggregate(TimeSpan.Zero, (sum, site) => sum + site.CpuTime);
        var atWarmupEnd = Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), ct)
            .ContinueWith(async _ => (SitesCpu(), System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
                await SiteMetrics.DatabaseCountsAsync(sites, ct)), ct).Unwrap();
        // kill -9 of the first site inside the measured window, and its restart on the same address and database.
        var killed = options.KillAtSeconds is { } killAt
            ? Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds + killAt), ct).ContinueWith(_ => sites[0].KillAndRestartAsync(ct), ct).Unwrap()
            : Task.FromResult(0.0);
        var outcome = await new RaterSwarm(sites.Select(s => s.BaseAddress).ToList(), raters, options).RunAsync(ct);
        var downSeconds = await killed;
        var (siteStart, clientStart, countsStart) = await atWarmupEnd;
        var siteCpu = SitesCpu() - siteStart;
        // A site killed in the window starts counting again from 0: no commands or commits figure then.
        var counts = options.KillAtSeconds is null ? await SiteMetrics.DatabaseCountsAsync(sites, ct) : ((double Commands, double RatingCommits)?)null;
        var commands = counts?.Commands - countsStart.Commands;
        var commits = counts?.RatingCommits - countsStart.RatingCommits;
        var clientCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - clientStart;
        var loadAfter = MachineLoad.Now();

        VoteIntegrityReport check;
        await using (var data = new SiteDatabase(database))
        await using (var db = await data.OpenAsync(ct))
            check = await VoteIntegrityCheck.RunAsync(db, projectId, outcome.Acknowledged, ct);

        // A server error is reported with the first exception lines the sites logged, so it can be acted on.
        var siteExceptions = new JsonArray(sites.SelectMany(site => site.Log.Split('\n'))
            .Where(line => line.Contains("Exception", StringComparison.Ordinal)).Distinct().Take(5).Select(line => (JsonNode)line.Trim()).ToArray());
        var errors = new JsonObject();
        foreach (var (key, count) in outcome.Errors.OrderBy(e => e.Key)) errors[key] = count;
        var result = new JsonObject
        {
            ["database"] = database.Provider.ToLowerInvariant(),
            ["sites"] = sites.Count,
            ["concurrency"] = options.Concurrency,
            ["comparisons"] = options.Comparisons,
            ["overlap"] = options.Overlap,
            ["warmupSeconds"] = options.WarmupSeconds,
            ["measuredSeconds"] = Math.Round(outcome.MeasuredSeconds, 3),
            ["votes"] = outcome.MeasuredVotes,
            ["votesPerSecond"] = Math.Round(outcome.MeasuredVotes / outcome.MeasuredSeconds, 1),
            ["commitsPerSecond"] = Math.Round(commitsPerSecond, 1),
            // Above 1, votes are stored faster than one durable commit each allows: only group commit gets there.
            ["votesPerCommitRate"] = commitsPerSecond > 0 ? Math.Round(outcome.MeasuredVotes / outcome.MeasuredSeconds / commitsPerSecond, 3) : null,
            ["latencyMs"] = new JsonObject
            {
                ["next"] = outcome.Next.ToJson(),
                ["vote"] = outcome.Vote.ToJson(),
                ["pair"] = outcome.Pair.ToJson(),
            },
            // CPU spent after the warm-up, all site processes together: on a shared machine, CPU per vote is steadier than votes/s.
            ["siteCpuSeconds"] = Math.Round(siteCpu.TotalSeconds, 2),
            ["clientCpuSeconds"] = Math.Round(clientCpu.TotalSeconds, 2),
            ["siteCpuMsPerVote"] = outcome.MeasuredVotes == 0 ? 0 : Math.Round(siteCpu.TotalMilliseconds / outcome.MeasuredVotes, 3),
            // SQL commands the sites sent per vote in the window (hand-out, vote and whatever else ran): the work a vote
            // costs the database, independent of the machine's speed.
            ["dbCommandsPerVote"] = commands is { } c && outcome.MeasuredVotes > 0 ? Math.Round(c / outcome.MeasuredVotes, 2) : null,
            // Rating write transactions (group commits, each one fsync on SQLite) per vote. A vote needs two writes, its
            // hand-out and itself: 2 means no two writes shared a commit, less how much they did.
            ["ratingCommitsPerVote"] = commits is { } batches && outcome.MeasuredVotes > 0 ? Math.Round(batches / outcome.MeasuredVotes, 3) : null,
            ["errors"] = errors,
            ["killedAtSeconds"] = options.KillAtSeconds,
            ["siteDownSeconds"] = options.KillAtSeconds is null ? null : Math.Round(downSeconds, 2),
            ["ratersOutOfWork"] = outcome.RatersOutOfWork,
            // A run that empties its project measures the end of a campaign (the full draws that find nothing), not
            // rating at a steady state, and its window ends early.
            ["note"] = outcome.RatersOutOfWork > 0 && options.VotesPerRater is null
                ? $"{outcome.RatersOutOfWork} of {options.Concurrency} raters ran out of work; the window ended after {outcome.MeasuredSeconds:0.#} s of " +
                  $"{options.DurationSeconds:0.#}. The project was emptied, so this measured the end of a campaign: give it more votes than the run " +
                  "stores (--comparisons x --overlap)."
                : null,
            ["siteExceptions"] = siteExceptions,
            ["acknowledgedBySite"] = new JsonArray(outcome.AcknowledgedBySite.Select(n => (JsonNode)n).ToArray()),
            ["check"] = check.ToJson(),
            ["machineBefore"] = load,
            ["machineAfter"] = loadAfter,
        };
        return (result, check.Passed);
    }
}
