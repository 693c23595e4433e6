using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Bench.Site;
using Rlhf.Data.Tokens;

namespace Rlhf.Bench.Load;

/// <summary>
/// `bench circuits`: the real site (Development environment, so it serves its static assets from the build output),
/// W + N raters with work to do, and their rating pages open in chromium. The site's memory is read after W warm-up
/// pages (kept open) and again after N more; per page = difference / N. With W = 1 the difference also holds what the
/// site does once as pages come (the JIT's tier-1 code for the paths they run, caches); with more warm-up pages it is
/// closer to what each further page adds.
/// </summary>
internal static class CircuitMemoryBenchmark
{
    private const int OpenAtOnce = 4;

    public static async Task<JsonObject> RunAsync(string siteDll, int pages, int warmUpPages, double settleSeconds, CancellationToken ct)
    {
        var settings = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };
        await using var site = await SiteServer.StartAsync(siteDll, "Development", settings, ct);
        var password = "Page-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        IReadOnlyList<RaterAccount> raters;
        string adminToken;
        await using (var database = new SiteDatabase(site.DatabasePath))
        {
            var seeder = new CampaignSeeder(database);
            await seeder.SeedProjectAsync("Circuit benchmark", Math.Max(100, 3 * (pages + warmUpPages)), 3, ct);
            raters = await seeder.AddPasswordRatersAsync(pages + warmUpPages, password, ct);
            adminToken = await AdminTokenAsync(database, ct);
        }
        var probe = new SiteMemoryProbe(site, adminToken);

        await using var browser = await RatingPages.LaunchAsync();
        await browser.OpenAsync(site.BaseAddress, raters[0]); // warm-up: first render and JIT are not per page
        using var gate = new SemaphoreSlim(OpenAtOnce);
        Task OpenAllAsync(IEnumerable<RaterAccount> some) => Task.WhenAll(some.Select(async rater =>
        {
            await gate.WaitAsync(ct);
            try { await browser.OpenAsync(site.BaseAddress, rater); }
            finally { gate.Release(); }
        }));
        await OpenAllAsync(raters.Skip(1).Take(warmUpPages - 1));
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds), ct);
        var before = await probe.ReadAsync(ct);

        await OpenAllAsync(raters.Skip(warmUpPages));
        await Task.Delay(TimeSpan.FromSeconds(settleSeconds), ct);
        var after = await probe.ReadAsync(ct);

        var perPage = new JsonObject();
        foreach (var key in new[] { "gcHeapBytes", "rssBytes", "privateBytes", "sharedBytes" })
            perPage[key] = (after[key]!.GetValue<long>() - before[key]!.GetValue<long>()) / pages;
        return new JsonObject
        {
            ["benchmark"] = "circuits",
            ["pages"] = pages,
            ["warmUpPages"] = warmUpPages,
            ["pagesOpen"] = browser.Open - warmUpPages,
            ["before"] = before,
            ["after"] = after,
            ["perPage"] = perPage,
            ["machine"] = MachineLoad.Now(),
        };
    }

    /// <summary>A one-day API token of the site's bootstrap admin, for the diagnostics endpoint.</summary>
    private static async Task<string> AdminTokenAsync(SiteDatabase database, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var adminId = await db.Users.Where(u => u.Email == SiteServer.AdminEmail).Select(u => u.Id).SingleAsync(ct);
        await using var scope = database.Services.CreateAsyncScope();
        var (secret, error) = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(adminId, "bench circuits", 1, ct);
        return secret ?? throw new InvalidOperationException($"could not make the admin's API token: {error}");
    }
}
