using System.Text.Json;
using Rlhf.Data.Database;
using Rlhf.Testing.Databases;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf bench load` as a process on a tiny run: it rates over HTTP against the real site and checks the database. No speed is asserted.</summary>
public sealed class BenchLoadCommandTests
{
    private static readonly Dictionary<string, string> NoEnv = new();

    [Fact]
    public async Task A_small_run_stores_every_acknowledged_vote_once_and_never_exceeds_the_overlap()
    {
        var (exit, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), NoEnv, null,
            "bench", "load", "--concurrency", "5", "--votes-per-rater", "40", "--warmup", "0", "--comparisons", "120", "--overlap", "2");
        Assert.True(exit == 0, error);
        var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.True(report.GetProperty("passed").GetBoolean());
        var level = report.GetProperty("levels")[0];
        Assert.Equal(5, level.GetProperty("concurrency").GetInt32());
        Assert.True(level.GetProperty("votes").GetInt32() > 0);
        Assert.True(level.GetProperty("latencyMs").GetProperty("pair").GetProperty("count").GetInt32() > 0);
        Assert.Empty(level.GetProperty("errors").EnumerateObject());
        // The disk's durable single-row commits per second, measured in the same run, and votes/s read against it.
        var commits = level.GetProperty("commitsPerSecond").GetDouble();
        Assert.True(commits > 0, level.ToString());
        Assert.Equal(level.GetProperty("votesPerSecond").GetDouble() / commits, level.GetProperty("votesPerCommitRate").GetDouble(), 0.01);
        // The site's SQL commands per vote, from its /metrics: a hand-out and a vote each read and write at least once.
        Assert.InRange(level.GetProperty("dbCommandsPerVote").GetDouble(), 4, 200);
        // Its rating commits per vote: a hand-out and a vote are two writes, and a group commit holds 1 to 64 of them.
        Assert.InRange(level.GetProperty("ratingCommitsPerVote").GetDouble(), 2.0 / GroupCommit.MaxWrites, 2.1);
        var check = level.GetProperty("check");
        Assert.True(check.GetProperty("checked").GetBoolean());
        Assert.Equal(200, check.GetProperty("acknowledged").GetInt32()); // 5 raters x 40 votes, all answered
        Assert.Equal(200, check.GetProperty("stored").GetInt32());
        Assert.Equal(0, check.GetProperty("lost").GetInt32());
        Assert.Equal(0, check.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, check.GetProperty("overOverlap").GetInt32());
        Assert.Equal(JsonValueKind.Null, level.GetProperty("note").ValueKind); // a run of N votes a rater ends on purpose
    }

    /// <summary>A timed run that empties its project says so: it measured the end of a campaign, not a steady state.</summary>
    [Fact]
    public async Task A_timed_run_that_empties_its_project_says_so()
    {
        var (exit, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), NoEnv, null,
            "bench", "load", "--concurrency", "2", "--duration", "20", "--warmup", "0", "--comparisons", "10", "--overlap", "1");
        Assert.True(exit == 0, error);
        var level = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("levels")[0];
        Assert.Equal(2, level.GetProperty("ratersOutOfWork").GetInt32());
        Assert.Equal(10, level.GetProperty("check").GetProperty("stored").GetInt32());
        Assert.True(level.GetProperty("measuredSeconds").GetDouble() < 20, level.ToString());
        Assert.Contains("2 of 2 raters ran out of work", level.GetProperty("note").GetString());
    }

    /// <summary>
    /// kill -9 of the site two seconds into the measured window, while five raters vote: the site comes back on the same
    /// database, the raters go on, and every vote the site acknowledged (before the kill or after) is stored exactly once.
    /// </summary>
    [Fact]
    public async Task A_site_killed_mid_run_loses_and_doubles_no_acknowledged_vote()
    {
        var (exit, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), NoEnv, null,
            "bench", "load", "--concurrency", "5", "--duration", "8", "--warmup", "1", "--kill-at", "2", "--comparisons", "3000", "--overlap", "2");
        Assert.True(exit == 0, error);
        var level = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("levels")[0];
        Assert.Equal(2, level.GetProperty("killedAtSeconds").GetDouble());
        Assert.True(level.GetProperty("siteDownSeconds").GetDouble() > 0, level.ToString());
        var check = level.GetProperty("check");
        Assert.True(check.GetProperty("passed").GetBoolean(), check.ToString());
        Assert.True(check.GetProperty("acknowledged").GetInt32() > 0);
        Assert.Equal((0, 0, 0), (check.GetProperty("lost").GetInt32(), check.GetProperty("duplicates").GetInt32(), check.GetProperty("overOverlap").GetInt32()));
    }

    /// <summary>
    /// Two site processes on one PostgreSQL database, 100 raters split between them (rater i on site i mod 2), k = 3, rating
    /// until the campaign is done: every comparison ends with exactly 3 votes, no rater votes twice on one, nothing
    /// acknowledged is lost. The rating rules hold across instances because they are kept in the database (advisory
    /// locks and unique indexes), not in one process's memory.
    /// </summary>
    [PostgresFact]
    public async Task Two_sites_on_one_postgres_database_give_every_comparison_exactly_its_overlap()
    {
        var server = PostgresCluster.Shared.ServerConnectionString;
        var (exit, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), NoEnv, null,
            "bench", "load", "--database", "postgres", "--postgres", server, "--sites", "2", "--concurrency", "100",
            "--votes-per-rater", "100", "--warmup", "0", "--comparisons", "100", "--overlap", "3");
        Assert.True(exit == 0, error);
        var level = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("levels")[0];
        Assert.Equal(("postgres", 2), (level.GetProperty("database").GetString(), level.GetProperty("sites").GetInt32()));
        Assert.True(!level.GetProperty("errors").EnumerateObject().Any(), level.ToString());
        Assert.Equal(100, level.GetProperty("ratersOutOfWork").GetInt32()); // everyone rated until nothing was left
        var bySite = level.GetProperty("acknowledgedBySite").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(2, bySite.Count);
        Assert.All(bySite, n => Assert.True(n > 0, $"votes by site: {string.Join(", ", bySite)}"));
        var check = level.GetProperty("check");
        Assert.True(check.GetProperty("passed").GetBoolean(), check.ToString());
        Assert.Equal((100, 100), (check.GetProperty("comparisons").GetInt32(), check.GetProperty("complete").GetInt32()));
        Assert.Equal(300, check.GetProperty("stored").GetInt32());
        Assert.Equal(300, check.GetProperty("acknowledged").GetInt32());
        Assert.Equal((0, 0, 0), (check.GetProperty("lost").GetInt32(), check.GetProperty("duplicates").GetInt32(), check.GetProperty("overOverlap").GetInt32()));
    }

    [Theory]
    [InlineData("--database", "mysql")]
    [InlineData("--sites", "0")]
    [InlineData("--concurrency", "0")]
    [InlineData("--duration", "0")]
    [InlineData("--overlap", "0")]
    [InlineData("--kill-at", "-1")]
    [InlineData("--site-dll", "/nonexistent/Rlhf.Web.dll")]
    public async Task Bad_options_are_one_line_and_exit_2(string option, string value)
    {
        var (exit, _, error) = await CliProcess.RunAsync(NoEnv, null, "bench", "load", option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith($"rlhf: {option}", error.Trim());
        Assert.Single(error.Trim().Split('\n'));
    }
}
