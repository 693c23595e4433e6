using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Rlhf.Bench.Site;

/// <summary>Reads the benchmark sites' /metrics (Prometheus text) with a scrape token the benchmark sets on them.</summary>
internal static partial class SiteMetrics
{
    /// <summary>This process's scrape token, given to every site it starts as <c>Metrics:ScrapeToken</c>.</summary>
    public static readonly string ScrapeToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// The SQL commands the sites have sent so far (<c>rlhf_db_commands_total</c>) and the rating write transactions they
    /// committed (<c>rlhf_rating_commits_total</c>, group commits), all sites together.
    /// </summary>
    public static async Task<(double Commands, double RatingCommits)> DatabaseCountsAsync(IEnumerable<SiteServer> sites, CancellationToken ct)
    {
        var (commands, commits) = (0.0, 0.0);
        foreach (var site in sites)
        {
            var exposition = await ScrapeAsync(site.BaseAddress, ct);
            commands += Value(exposition, "rlhf_db_commands_total");
            commits += Value(exposition, "rlhf_rating_commits_total");
        }
        return (commands, commits);
    }

    public static async Task<string> ScrapeAsync(Uri site, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(site, "metrics"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>A series' value in a Prometheus exposition, summed over its label sets; 0 when absent.</summary>
    public static double Value(string exposition, string series) =>
        Sample().Matches(exposition).Where(m => m.Groups["name"].Value == series)
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
