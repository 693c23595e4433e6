using System.Text.Json;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>`rlhf bench circuits` as a process with two real pages in chromium. No speed or size is asserted beyond "positive".</summary>
public sealed class BenchCircuitsCommandTests
{
    [Fact]
    public async Task Two_rating_pages_open_and_the_memory_per_page_is_positive()
    {
        var (exit, output, error) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), new Dictionary<string, string>(), null,
            "bench", "circuits", "--pages", "2", "--warm-up", "2", "--settle", "1");
        Assert.True(exit == 0, error);
        var report = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(2, report.GetProperty("pagesOpen").GetInt32());
        Assert.Equal(2, report.GetProperty("warmUpPages").GetInt32());
        Assert.True(report.GetProperty("after").GetProperty("rssBytes").GetInt64() > 0);
        Assert.True(report.GetProperty("perPage").GetProperty("gcHeapBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Bad_page_counts_are_one_line_and_exit_2()
    {
        var (exit, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "circuits", "--pages", "0");
        Assert.Equal(2, exit);
        Assert.Equal("rlhf: --pages must be 1 to 500.", error.Trim());
        (exit, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "circuits", "--warm-up", "0");
        Assert.Equal(2, exit);
        Assert.Equal("rlhf: --warm-up must be 1 to 500 pages.", error.Trim());
    }
}
