using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlhf.Bench.Site;

/// <summary>
/// The site process's memory: VmRSS and RssAnon (private) from /proc/PID/status, and the managed heap after a forced
/// full collection from the admin-only /api/v1/diagnostics/memory.
/// </summary>
internal sealed class SiteMemoryProbe(SiteServer site, string adminToken)
{
    public async Task<JsonObject> ReadAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = site.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var heap = await http.GetFromJsonAsync<JsonElement>("api/v1/diagnostics/memory", ct); // collects first, so RSS is read after it
        var status = await File.ReadAllLinesAsync($"/proc/{site.ProcessId}/status", ct);
        return new JsonObject
        {
            ["gcHeapBytes"] = heap.GetProperty("gcHeapBytes").GetInt64(),
            ["rssBytes"] = Kilobytes(status, "VmRSS:") * 1024,
            ["privateBytes"] = Kilobytes(status, "RssAnon:") * 1024,
        };
    }

    private static long Kilobytes(string[] status, string field) =>
        status.Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
}
