using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rlhf.Web.Tests;

/// <summary>Starts the real site process with a bad setting and reads what it says.</summary>
public class StartupFailureTests
{
    private static async Task<(int ExitCode, string StdErr, string StdOut)> StartSiteAsync(string connectionString, string urls = "http://127.0.0.1:0")
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Rlhf.Web.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", urls])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["ConnectionStrings__Rlhf"] = connectionString;
        psi.Environment["RLHF_ADMIN_PASSWORD"] = "Admin-Password-1";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new Xunit.Sdk.XunitException("the site did not stop"); }
        return (process.ExitCode, (await stderr).Trim(), await stdout);
    }

    [Fact]
    public async Task A_malformed_connection_string_stops_start_up_with_one_line_naming_the_setting()
    {
        var (exit, stderr, _) = await StartSiteAsync("Data Sourc=;;=");
        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rlhf: cannot start: Setting ConnectionStrings:Rlhf is malformed", line);
    }

    [Fact]
    public async Task An_unwritable_data_folder_stops_start_up_and_writes_nothing()
    {
        var file = Path.GetTempFileName(); // a file where the data folder should be: unwritable even for root
        try
        {
            var (exit, stderr, _) = await StartSiteAsync($"Data Source={file}/data/rlhf.db");
            Assert.Equal(1, exit);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("rlhf: cannot start: Setting ConnectionStrings:Rlhf: the database folder", line);
            Assert.Contains("not writable", line);
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_busy_address_stops_start_up_with_one_line_and_writes_nothing()
    {
        using var other = new TcpListener(IPAddress.Loopback, 0);
        other.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)other.LocalEndpoint).Port}";
        var folder = Directory.CreateTempSubdirectory("rlhf-busy-");
        try
        {
            var (exit, stderr, _) = await StartSiteAsync($"Data Source={Path.Combine(folder.FullName, "rlhf.db")}", address);
            Assert.Equal(1, exit);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"rlhf: cannot start: {address} is in use by another program", line);
            Assert.Empty(folder.GetFiles());
        }
        finally { folder.Delete(recursive: true); }
    }
}
