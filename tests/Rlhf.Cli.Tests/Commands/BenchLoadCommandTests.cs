using System.Text.Json;

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
        var check = level.GetProperty("check");
        Assert.True(check.GetProperty("checked").GetBoolean());
        Assert.Equal(200, check.GetProperty("acknowledged").GetInt32()); // 5 raters x 40 votes, all answered
        Assert.Equal(200, check.GetProperty("stored").GetInt32());
        Assert.Equal(0, check.GetProperty("lost").GetInt32());
        Assert.Equal(0, check.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, check.GetProperty("overOverlap").GetInt32());
    }

    [Theory]
    [InlineData("--concurrency", "0")]
    [InlineData("--duration", "0")]
    [InlineData("--overlap", "0")]
    [InlineData("--site-dll", "/nonexistent/Rlhf.Web.dll")]
    public async Task Bad_options_are_one_line_and_exit_2(string option, string value)
    {
        var (exit, _, error) = await CliProcess.RunAsync(NoEnv, null, "bench", "load", option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith($"rlhf: {option}", error.Trim());
        Assert.Single(error.Trim().Split('\n'));
    }
}
