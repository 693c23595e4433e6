using System.CommandLine;
using System.Text.Json.Nodes;
using Rlhf.Bench.Load;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Commands;

/// <summary>
/// `rlhf bench load`: the real site as its own process (or N of them on one database) over a fresh SQLite file or
/// PostgreSQL database per concurrency level, C simulated
/// raters voting over the REST API, then a database check that every acknowledged vote is stored exactly once and no
/// comparison has more votes than its overlap. Prints one JSON object. Exit codes: 0 ok, 1 a vote was lost or
/// duplicated or overlap exceeded (or the site failed), 2 bad options.
/// </summary>
internal static class BenchLoadCommand
{
    public static Command Create()
    {
        var concurrency = new Option<string>("--concurrency") { Description = "Concurrent raters of each level, comma-separated.", DefaultValueFactory = _ => "50,200,1000" };
        var duration = new Option<double>("--duration") { Description = "Measured seconds per level (after the warm-up).", DefaultValueFactory = _ => 15 };
        var votesPerRater = new Option<int?>("--votes-per-rater") { Description = "Stop after this many votes per rater instead of after --duration." };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of rating before the measurement starts, so the JIT has settled (votes still checked).", DefaultValueFactory = _ => 20 };
        var comparisons = new Option<int?>("--comparisons") { Description = "Comparisons in the campaign (default: 10000, or enough for --votes-per-rater)." };
        var overlap = new Option<int>("--overlap") { Description = "Raters per comparison (k).", DefaultValueFactory = _ => 3 };
        var siteDll = new Option<string>("--site-dll") { Description = "The site to start (default: Rlhf.Web.dll beside rlhf.dll, else the checkout's build of src/Rlhf.Web in the same configuration).", DefaultValueFactory = _ => SiteServer.DefaultSiteDll };
        var database = new Option<string>("--database") { Description = "sqlite (a fresh file) or postgres (a fresh database on the server --postgres names, dropped at the end).", DefaultValueFactory = _ => "sqlite" };
        var postgres = new Option<string?>("--postgres") { Description = "With --database postgres: connection string of the server, as a user that may CREATE DATABASE." };
        var killAt = new Option<double?>("--kill-at") { Description = "kill -9 the (first) site this many seconds into the measured window, restart it on the same database, and check every acknowledged vote is stored once." };
        var sites = new Option<int>("--sites") { Description = "Site processes on the one database; rater i rates on site i mod N (a sticky load balancer's split).", DefaultValueFactory = _ => 1 };
        var command = new Command("load", "Votes/s and latency of the rating API under C concurrent raters on the real site; checks no vote is lost or duplicated.")
        {
            concurrency, duration, votesPerRater, warmup, comparisons, overlap, siteDll, database, postgres, sites, killAt,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!BenchCommand.TryParseSizes(parseResult.GetValue(concurrency), "--concurrency", out var levels, out var problem)) return BenchCommand.Fail(error, problem);
            var seconds = parseResult.GetValue(duration);
            var perRater = parseResult.GetValue(votesPerRater);
            var warm = parseResult.GetValue(warmup);
            var k = parseResult.GetValue(overlap);
            var dll = parseResult.GetValue(siteDll)!;
            if (!(seconds > 0)) return BenchCommand.Fail(error, "--duration must be a positive number of seconds.");
            if (perRater is < 1) return BenchCommand.Fail(error, "--votes-per-rater must be at least 1.");
            if (!(warm >= 0)) return BenchCommand.Fail(error, "--warmup must be 0 or more seconds.");
            if (k is < 1 or > 50) return BenchCommand.Fail(error, "--overlap must be 1 to 50.");
            if (parseResult.GetValue(comparisons) is < 1) return BenchCommand.Fail(error, "--comparisons must be at least 1.");
            var provider = parseResult.GetValue(database)!.ToLowerInvariant();
            var server = parseResult.GetValue(postgres);
            var siteCount = parseResult.GetValue(sites);
            if (provider is not ("sqlite" or "postgres")) return BenchCommand.Fail(error, $"--database must be sqlite or postgres, not '{parseResult.GetValue(database)}'.");
            if (provider == "postgres" && string.IsNullOrWhiteSpace(server)) return BenchCommand.Fail(error, "--postgres: --database postgres needs the server's connection string (e.g. \"Host=localhost;Username=postgres;Password=...\").");
            if (provider == "sqlite" && server is not null) return BenchCommand.Fail(error, "--postgres is only for --database postgres.");
            if (siteCount is < 1 or > 8) return BenchCommand.Fail(error, "--sites must be 1 to 8.");
            var kill = parseResult.GetValue(killAt);
            if (kill is { } k0 && !(k0 >= 0)) return BenchCommand.Fail(error, "--kill-at must be 0 or more seconds into the measured window.");
            if (kill is { } k1 && perRater is null && k1 >= seconds) return BenchCommand.Fail(error, "--kill-at must fall inside the measured window (below --duration).");
            if (!File.Exists(dll)) return BenchCommand.Fail(error, $"--site-dll: '{dll}' does not exist (build src/Rlhf.Web in the same configuration, e.g. dotnet build -c Release src/Rlhf.Web, or pass its Rlhf.Web.dll).");

            var results = new JsonArray();
            var passed = true;
            foreach (var c in levels)
            {
                var n = parseResult.GetValue(comparisons) ?? (perRater is { } v ? Math.Max(v, (int)Math.Ceiling((double)c * v / k)) + 10 : 10_000);
                var options = new LoadOptions(c, n, k, warm, seconds, perRater, siteCount, provider == "postgres" ? server : null, kill);
                await error.WriteLineAsync($"bench load: {c} raters, {n} comparisons (k = {k}), {provider}, {siteCount} site process{(siteCount == 1 ? "" : "es")}...");
                try
                {
                    var (result, ok) = await LoadBenchmark.RunAsync(dll, options, ct);
                    await error.WriteLineAsync($"bench load: {c} raters: {result["votesPerSecond"]} votes/s, pair p99 {result["latencyMs"]!["pair"]!["p99"]} ms, check {(ok ? "passed" : "FAILED")}");
                    results.Add(result);
                    passed &= ok;
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Npgsql.NpgsqlException)
                {
                    await error.WriteLineAsync($"rlhf: bench load at {c} raters failed: {ex.Message.Split('\n')[0]}");
                    return 1;
                }
            }
            var report = new JsonObject { ["benchmark"] = "load", ["siteDll"] = Path.GetFullPath(dll), ["passed"] = passed, ["levels"] = results };
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(report.ToJsonString(BenchCommand.JsonOptions));
            return passed ? 0 : 1;
        });
        return command;
    }
}
