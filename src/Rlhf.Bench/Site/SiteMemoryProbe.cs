using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Bench.Site;

/// <summary>
/// The site process's memory: the managed heap after a forced full collection (the admin-only
/// /api/v1/diagnostics/memory), and VmRSS, RssAnon (private) and RssShmem (shared: the JIT's code) from
/// /proc/PID/status after an aggressive one (?trim=true); VmRSS before that as untrimmedRssBytes.
/// </summary>
internal sealed class SiteMemoryProbe(SiteServer site, string adminToken)
{
    public async Task<JsonObject> ReadAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = site.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var heap = await http.GetFromJsonAsync<JsonElement>("api/v1/diagnostics/memory", ct); // collects first, so RSS is read after it
        var untrimmed = await File.ReadAllLinesAsync($"/proc/{site.ProcessId}/status", ct);
        // Then an aggressive collection: the GC gives back the memory it keeps for later allocations, as it does under
        // memory pressure. What stays is what the process needs; how much the GC keeps beside it varies from one
        // reading to the next by tens of megabytes (and an aggressive collection changes it for later readings).
        await http.GetFromJsonAsync<JsonElement>("api/v1/diagnostics/memory?trim=true", ct);
        var status = await File.ReadAllLinesAsync($"/proc/{site.ProcessId}/status", ct);
        return new JsonObject
        {
            ["gcHeapBytes"] = heap.GetProperty("gcHeapBytes").GetInt64(),
            ["rssBytes"] = Kilobytes(status, "VmRSS:") * 1024,
            ["privateBytes"] = Kilobytes(status, "RssAnon:") * 1024,
            ["sharedBytes"] = Kilobytes(status, "RssShmem:") * 1024, // with W^X on (the default), the JIT's code: memfd:doublemapper
            ["untrimmedRssBytes"] = Kilobytes(untrimmed, "VmRSS:") * 1024,
        };
    }

    private static long Kilobytes(string[] status, string field) =>
        status.Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
}
