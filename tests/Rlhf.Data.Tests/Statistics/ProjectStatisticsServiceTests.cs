using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Rating;
using Rlhf.Data.Statistics;
using Rlhf.Data.Tests.Exchange;
using Rlhf.Data.Tests.Rating;
using Xunit.Abstractions;

namespace Rlhf.Data.Tests.Statistics;

public class ProjectStatisticsServiceTests(ITestOutputHelper output)
{
    /// <summary>Comparisons in the large-project test: above SQLite's 32,766 variables; BENCHMARKS.md runs it at 200,000.</summary>
    private static int LargeProjectComparisons =>
        int.TryParse(Environment.GetEnvironmentVariable("RLHF_STATISTICS_COMPARISONS"), out var n) && n > 0 ? n : 33_000;

    [Fact]
    public async Task The_dashboard_of_a_project_above_32766_comparisons_counts_every_vote_and_gold_answer()
    {
        var n = LargeProjectComparisons;
        await using var f = await ExchangeFixture.CreateAsync();
        var lines = new StringBuilder();
        for (var i = 0; i < n; i++)
            lines.Append("{\"prompt\":\"p").Append(i).Append("\",\"chosen\":\"c").Append(i).Append("\",\"rejected\":\"r").Append(i).Append("\"}\n");
        var import = Stopwatch.StartNew();
        var report = await f.ImportAsync(lines.ToString());
        output.WriteLine($"import of {n:N0} preferences: {import.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(report.Committed);
        Assert.Equal(n, report.Comparisons);

        var raters = await RatingFixture.RatersAsync(f.Database, f.PoolId, 2);
        long first, last;
        await using (var db = await f.DbAsync())
        {
            first = await db.Comparisons.MinAsync(c => c.Id);
            last = await db.Comparisons.MaxAsync(c => c.Id);
            db.GoldAnswers.Add(new GoldAnswer { ComparisonId = first, Side = GoldSide.A, MinimumStrength = 1, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await f.AddVoteAsync(first, raters[0], -2);   // gold A: correct
        await f.AddVoteAsync(first, raters[1], 1);    // gold A: wrong
        await f.AddVoteAsync(last, raters[0], -1);
        await f.AddVoteAsync(last, raters[1], -1);

        var statistics = new ProjectStatisticsService(f.Contexts, TimeProvider.System);
        ProjectDashboard? dashboard = null;
        for (var run = 1; run <= 3; run++)   // the first run includes compiling the queries
        {
            var watch = Stopwatch.StartNew();
            dashboard = await statistics.DashboardAsync(f.ProjectId);
            output.WriteLine($"statistics of {n:N0} comparisons, {n + 4:N0} votes, run {run}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        Assert.NotNull(dashboard);
        Assert.Equal((n, n, n + 4), (dashboard.Comparisons, dashboard.CompleteComparisons, dashboard.Votes));
        Assert.Equal(3, dashboard.Raters.Count);
        var imported = Assert.Single(dashboard.Raters, r => !raters.Contains(r.RaterId));
        Assert.Equal((n, 1), (imported.Votes, imported.GoldAnswered));
        var (right, wrong) = (dashboard.Raters.Single(r => r.RaterId == raters[0]), dashboard.Raters.Single(r => r.RaterId == raters[1]));
        Assert.Equal((2, 1, 1.0), (right.Votes, right.GoldAnswered, right.GoldAccuracy));
        Assert.Equal((2, 1, 0.0), (wrong.Votes, wrong.GoldAnswered, wrong.GoldAccuracy));
        Assert.StartsWith("rater0-", right.Email);
        Assert.StartsWith("rater1-", wrong.Email);
    }
}
