using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rlhf.Testing;

/// <summary>
/// The real site on Kestrel, as its own process, over a fresh SQLite file; stopped (and its folder removed) on dispose.
/// <see cref="RestartAsync"/> kills it (as a crash would) and starts it again on the same folder and address.
/// </summary>
public class SiteProcess : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string> settings;

    public SiteProcess() : this(new Dictionary<string, string>()) { }

    /// <summary>With extra settings (environment variables, e.g. <c>Jobs__LeaseSeconds</c>) for the site.</summary>
    protected SiteProcess(IReadOnlyDictionary<string, string> settings) => this.settings = settings;

    /// <summary>
    /// Ceiling for the site to answer /healthz after its start: a cold .NET start, migrations and the job runner take
    /// 2-5 s on an idle machine and over a minute on a 2-core machine under the whole suite's load.
    /// </summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(5);

    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "Admin-Password-1";

    private Process? process;
    private readonly StringBuilder log = new();
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "rlhf-browser-tests", Guid.NewGuid().ToString("N"));
    public Uri BaseAddress { get; private set; } = default!;
    public string Log { get { lock (log) return log.ToString(); } }
    public string DatabasePath => Path.Combine(Folder, "rlhf.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/");
        await StartAsync();
    }

    /// <summary>Kills the site's process tree (no graceful shutdown: jobs keep their lease) and starts it again on the same database and address.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        lock (log) log.AppendLine("---- killed and restarted by the test ----");
        await StartAsync();
    }

    private async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rlhf.Web.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development"; // serves static assets from the build output
        psi.Environment["ConnectionStrings__Rlhf"] = $"Data Source={Path.Combine(Folder, "rlhf.db")}";
        psi.Environment["Bootstrap__AdminEmail"] = AdminEmail;
        psi.Environment["RLHF_ADMIN_PASSWORD"] = AdminPassword;
        psi.Environment["Demo__Enabled"] = "false"; // tests make their own projects
        foreach (var (name, value) in settings) psi.Environment[name] = value;
        PassAddress(psi, BaseAddress.ToString().TrimEnd('/'));
        process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(); // the last lines of its output
                throw new InvalidOperationException($"the site exited with {process.ExitCode}:\n{Log}");
            }
            try
            {
                if ((await http.GetAsync("healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the site did not answer /healthz within {StartLimit.TotalSeconds:F0} s:\n{Log}");
    }

    /// <summary>Tells the site where to listen: <c>--urls</c>, unless a test passes it another way.</summary>
    protected virtual void PassAddress(ProcessStartInfo psi, string address)
    {
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(address);
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process?.Dispose();
        process = null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
