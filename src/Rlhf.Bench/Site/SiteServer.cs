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

    private readonly Process process;
    private readonly StringBuilder log = new();

    private SiteServer(Process process, string folder, Uri baseAddress)
    {
        this.process = process;
        Folder = folder;
        BaseAddress = baseAddress;
    }

    public string Folder { get; }
    public Uri BaseAddress { get; }
    public string DatabasePath => Path.Combine(Folder, "rlhf.db");
    public int ProcessId => process.Id;
    /// <summary>User + system CPU the site has used so far.</summary>
    public TimeSpan CpuTime { get { process.Refresh(); return process.TotalProcessorTime; } }
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

        var site = new SiteServer(Process.Start(psi)!, folder, baseAddress);
        site.process.OutputDataReceived += (_, e) => site.Append(e.Data);
        site.process.ErrorDataReceived += (_, e) => site.Append(e.Data);
        site.process.BeginOutputReadLine();
        site.process.BeginErrorReadLine();
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
