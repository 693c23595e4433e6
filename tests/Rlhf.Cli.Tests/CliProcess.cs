using System.Diagnostics;

namespace Rlhf.Cli.Tests;

/// <summary>
/// Runs the built `rlhf` program as its own process with the given environment. Time limits are ceilings for a loaded
/// 2-core machine (a command that takes 20 s alone took over 2 minutes while the suite's other projects ran), there to
/// end a hung process, not to measure speed.
/// </summary>
public static class CliProcess
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(
        IDictionary<string, string> environment, string? stdin, params string[] args) =>
        RunAsync(TimeSpan.FromMinutes(10), environment, stdin, args);

    /// <summary>The same with another time limit, for commands that start the site (and a browser) or run the loop.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        TimeSpan limit, IDictionary<string, string> environment, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "rlhf.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
