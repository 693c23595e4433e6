using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Rlhf.Data.Hosting;

namespace Rlhf.Bench.Site;

/// <summary>
/// The real site (Rlhf.Web.dll) on Kestrel on a free loopback port, as its own process, over a fresh SQLite file in a
/// temporary folder (or over a <see cref="BenchDatabase"/> that several site processes share); killed (and the folder removed) on dispose. Its admin password is random and never printed.
/// </summary>
internal sealed class SiteServer : IAsyncDisposable
{
    public const string AdminEmail = "bench-admin@example.test";

    private readonly ProcessStartInfo startInfo;
    private Process process;
    /// <summary>CPU of the processes killed by <see cref="KillAndRestartAsync"/>, kept in <see cref="CpuTime"/>.</summary>
    private TimeSpan cpuOfKilled;
    private readonly StringBuilder log = new();

    private SiteServer(ProcessStartInfo startInfo, string folder, Uri baseAddress)
    {
        this.startInfo = startInfo;
        process = Start(startInfo);
        Folder = folder;
        BaseAddress = baseAddress;
    }

    private Process Start(ProcessStartInfo psi)
    {
        var started = Process.Start(psi)!;
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return started;
    }

    public string Folder { get; }
    public Uri BaseAddress { get; }
    public string DatabasePath => Path.Combine(Folder, "rlhf.db");
    public int ProcessId => process.Id;
    /// <summary>User + system CPU the site has used so far (processes killed and restarted included).</summary>
    public TimeSpan CpuTime { get { process.Refresh(); return cpuOfKilled + process.TotalProcessorTime; } }
    public string Log { get { lock (log) return log.ToString(); } }

    /// <summary>
    /// Where Rlhf.Web.dll is by default: beside this program when published (or built) together with it; else the
    /// checkout's own build of src/Rlhf.Web in this program's configuration and framework (bin/Release/net10.0 beside
    /// bin/Release/net10.0). Nothing here references the site project: it is started as the user would start it.
    /// </summary>
    public static string DefaultSiteDll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, SiteDllName);
            if (File.Exists(beside)) return beside;
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = ContentRootLocator.FindRepositoryRoot(AppContext.BaseDirectory);
            return root is null || framework.Parent is not { } configuration
                ? beside
                : Path.Combine(root, "src", "Rlhf.Web", "bin", configuration.Name, framework.Name, SiteDllName);
        }
    }

    private const string SiteDllName = "Rlhf.Web.dll";

    /// <summary>
    /// Starts the site and waits for /healthz. <paramref name="environmentName"/> "Development" serves the static assets
    /// (blazor.web.js, MudBlazor) from the build output, which pages need; the API does not.
    /// </summary>
    /// <paramref name="database"/>: a database shared with other site processes (default: a fresh SQLite file in the site's own folder).
    public static async Task<SiteServer> StartAsync(string siteDll, string environmentName, IReadOnlyDictionary<string, string> settings, CancellationToken ct,
        BenchDatabase? database = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rlhf-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        var psi = new ProcessStartInfo("dotnet", [siteDll, "--urls", baseAddress.ToString().TrimEnd('/')])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = environmentName;
        psi.Environment["ConnectionStrings__Rlhf"] = $"Data Source={Path.Combine(folder, "rlhf.db")}";
        foreach (var (key, value) in database?.Environment ?? []) psi.Environment[key] = value;
        psi.Environment["Bootstrap__AdminEmail"] = AdminEmail;
        psi.Environment["RLHF_ADMIN_PASSWORD"] = "Bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        psi.Environment["Demo__Enabled"] = "false";
        psi.Environment["Jobs__RunInSite"] = "false";
        foreach (var (key, value) in settings) psi.Environment[key] = value;

        var site = new SiteServer(psi, folder, baseAddress);
        try
        {
            await site.WaitHealthyAsync(ct);
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// kill -9 of the site process (no shutdown, no flush: as a power cut is to the process), then the same site again on
    /// the same address and database, once it answers /healthz. Returns the seconds the site was away.
    /// </summary>
    public async Task<double> KillAndRestartAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        process.Kill(entireProcessTree: true);   // SIGKILL on Linux
        await process.WaitForExitAsync(ct);
        cpuOfKilled += cpu;
        process.Dispose();
        Append("--- killed (kill -9) and restarted by the benchmark ---");
        process = Start(startInfo);
        await WaitHealthyAsync(ct);
        return clock.Elapsed.TotalSeconds;
    }

    private void Append(string? line)
    {
        lock (log) if (log.Length < 200_000) log.AppendLine(line);
    }

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"the site exited with code {process.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync("healthz", ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"the site did not answer /healthz within 120 s:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
