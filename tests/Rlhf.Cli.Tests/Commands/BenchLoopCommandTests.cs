using Microsoft.Data.Sqlite;

namespace Rlhf.Cli.Tests.Commands;

/// <summary>
/// `rlhf bench loop` as a process refuses bad sizes before it runs anything. Every stage of a tiny loop, for each
/// method, is run in process by Rlhf.Bench.Tests' BenchLoopCompareTests.
/// </summary>
public sealed class BenchLoopCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rlhf-bench-loop", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Bad_sizes_and_a_used_folder_are_refused_before_anything_runs()
    {
        var (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "loop", "--out", folder, "--raters", "2", "--overlap", "3");
        Assert.Equal(2, code);
        Assert.Contains("raters must be at least overlap", error);
        Assert.False(Directory.Exists(folder));

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "keep.txt"), "mine");
        (code, _, error) = await CliProcess.RunAsync(new Dictionary<string, string>(), null, "bench", "loop", "--out", folder);
        Assert.Equal(2, code);
        Assert.Contains("is not empty", error);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(folder, "keep.txt")));
    }
}
