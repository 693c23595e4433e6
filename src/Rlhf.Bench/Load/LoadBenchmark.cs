using System.Text.Json.Nodes;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Load;

/// <summary>
/// One `bench load` level: a fresh site process over a fresh SQLite file, a campaign of N comparisons with overlap k,
/// C raters with API tokens, C concurrent rating loops over HTTP, then the database check of every acknowledged vote.
/// </summary>
internal static class LoadBenchmark
{
    /// <summary>The site's settings for a load run: the per-user API limit raised far above what a rater loop sends.</summary>
    public static readonly IReadOnlyDictionary<string, string> SiteSettings = new Dictionary<string, string>
    {
        ["Api__RequestsPerMinute"] = "1000000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public static async Task<(JsonObject Result, bool Passed)> RunAsync(string siteDll, LoadOptions options, CancellationToken ct)
    {
        await using var site = await SiteServer.StartAsync(siteDll, "Production", SiteSettings, ct);
        int projectId;
        IReadOnlyList<RaterAccount> raters;
        await using (var database = new SiteDatabase(site.DatabasePath))
        {
            var seeder = new CampaignSeeder(database);
            await seeder.SeedProjectAsync("Load benchmark", options.Comparisons, options.Overlap, ct);
            raters = await seeder.AddTokenRatersAsync(options.Concurrency, ct);
            projectId = seeder.ProjectId;
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the measured phase is the site's alone

        var load = MachineLoad.Now();
        // CPU is read when the warm-up ends (JIT and EF's query compilation fall inside it) and when the run ends.
        var (siteCpu, clientCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        var atWarmupEnd = Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), ct)
            .ContinueWith(_ => (site.CpuTime, System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime), ct);
        var outcome = await new RaterSwarm(site.BaseAddress, raters, options).RunAsync(ct);
        var (siteStart, clientStart) = await atWarmupEnd;
        siteCpu = site.CpuTime - siteStart;
        clientCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - clientStart;
        var loadAfter = MachineLoad.Now();

        VoteIntegrityReport check;
        await using (var database = new SiteDatabase(site.DatabasePath))
        await using (var db = await database.OpenAsync(ct))
            check = await VoteIntegrityCheck.RunAsync(db, projectId, outcome.Acknowledged, ct);

        var errors = new JsonObject();
        foreach (var (key, count) in outcome.Errors.OrderBy(e => e.Key)) errors[key] = count;
        var result = new JsonObject
        {
            ["concurrency"] = options.Concurrency,
            ["comparisons"] = options.Comparisons,
            ["overlap"] = options.Overlap,
            ["warmupSeconds"] = options.WarmupSeconds,
            ["measuredSeconds"] = Math.Round(outcome.MeasuredSeconds, 3),
            ["votes"] = outcome.MeasuredVotes,
            ["votesPerSecond"] = Math.Round(outcome.MeasuredVotes / outcome.MeasuredSeconds, 1),
            ["latencyMs"] = new JsonObject
            {
                ["next"] = outcome.Next.ToJson(),
                ["vote"] = outcome.Vote.ToJson(),
                ["pair"] = outcome.Pair.ToJson(),
            },
            // CPU spent after the warm-up: on a shared machine, CPU per vote is steadier than votes/s.
            ["siteCpuSeconds"] = Math.Round(siteCpu.TotalSeconds, 2),
            ["clientCpuSeconds"] = Math.Round(clientCpu.TotalSeconds, 2),
            ["siteCpuMsPerVote"] = outcome.MeasuredVotes == 0 ? 0 : Math.Round(siteCpu.TotalMilliseconds / outcome.MeasuredVotes, 3),
            ["errors"] = errors,
            ["ratersOutOfWork"] = outcome.RatersOutOfWork,
            ["check"] = check.ToJson(),
            ["machineBefore"] = load,
            ["machineAfter"] = loadAfter,
        };
        return (result, check.Passed);
    }
}
