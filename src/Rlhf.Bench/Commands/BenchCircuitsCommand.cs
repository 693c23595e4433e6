using System.CommandLine;
using Microsoft.Playwright;
using Rlhf.Bench.Load;
using Rlhf.Bench.Site;

namespace Rlhf.Bench.Commands;

/// <summary>
/// `rlhf bench circuits`: the site's memory per open rating page (a Blazor Server circuit), measured with real pages in
/// chromium against the real site process. Prints one JSON object. Exit codes: 0 ok, 1 the site or browser failed,
/// 2 bad options.
/// </summary>
internal static class BenchCircuitsCommand
{
    public static Command Create()
    {
        var pages = new Option<int>("--pages") { Description = "Rating pages to open (one rater each).", DefaultValueFactory = _ => 50 };
        var warmUp = new Option<int>("--warm-up") { Description = "Rating pages opened (and kept open) before the first memory reading: what the first pages cost once (JIT, caches) is not counted per page.", DefaultValueFactory = _ => 1 };
        var settle = new Option<double>("--settle") { Description = "Seconds to wait before each memory reading.", DefaultValueFactory = _ => 5 };
        var siteDll = new Option<string>("--site-dll") { Description = "The site to start (default: Rlhf.Web.dll beside rlhf.dll, else the checkout's build of src/Rlhf.Web in the same configuration).", DefaultValueFactory = _ => SiteServer.DefaultSiteDll };
        var command = new Command("circuits", "Memory of the site per open rating page, with real pages in chromium.") { pages, warmUp, settle, siteDll };
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var n = parseResult.GetValue(pages);
            var first = parseResult.GetValue(warmUp);
            var seconds = parseResult.GetValue(settle);
            var dll = parseResult.GetValue(siteDll)!;
            if (n is < 1 or > 500) return BenchCommand.Fail(error, "--pages must be 1 to 500.");
            if (first is < 1 or > 500) return BenchCommand.Fail(error, "--warm-up must be 1 to 500 pages.");
            if (!(seconds >= 0)) return BenchCommand.Fail(error, "--settle must be 0 or more seconds.");
            if (!File.Exists(dll)) return BenchCommand.Fail(error, $"--site-dll: '{dll}' does not exist (build src/Rlhf.Web in the same configuration, e.g. dotnet build -c Release src/Rlhf.Web, or pass its Rlhf.Web.dll).");
            try
            {
                var result = await CircuitMemoryBenchmark.RunAsync(dll, n, first, seconds, ct);
                await parseResult.InvocationConfiguration.Output.WriteLineAsync(result.ToJsonString(BenchCommand.JsonOptions));
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or PlaywrightException or HttpRequestException)
            {
                await error.WriteLineAsync($"rlhf: bench circuits failed: {ex.Message.Split('\n')[0]}");
                return 1;
            }
        });
        return command;
    }
}
