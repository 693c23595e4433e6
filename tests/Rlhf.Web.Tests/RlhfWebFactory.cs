using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Testing.Databases;

namespace Rlhf.Web.Tests;

/// <summary>
/// The real site on the test server, over a real SQLite file in a fresh temporary folder (or, when
/// RLHF_TEST_DATABASE=postgres, a fresh database on the test PostgreSQL cluster, with Storage:Root the folder).
/// </summary>
public sealed class RlhfWebFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "Admin-Password-1";

    public string Folder { get; }
    public string DatabasePath => Path.Combine(Folder, "rlhf.db");
    private readonly Dictionary<string, string?> settings;
    private readonly Dictionary<string, string?> database;
    private readonly bool ownsDatabase;

    /// <summary>Services a test adds or replaces after the site's own (e.g. an in-memory trace exporter).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public RlhfWebFactory(Dictionary<string, string?>? overrides = null) : this(null, overrides)
    {
    }

    /// <summary>A second site instance on <paramref name="first"/>'s database and folder (which that factory drops), as two instances behind one load balancer.</summary>
    public static RlhfWebFactory SecondInstanceOf(RlhfWebFactory first, Dictionary<string, string?>? overrides = null) => new(first, overrides);

    private RlhfWebFactory(RlhfWebFactory? sharedWith, Dictionary<string, string?>? overrides)
    {
        ownsDatabase = sharedWith is null;
        Folder = sharedWith?.Folder ?? Path.Combine(Path.GetTempPath(), "rlhf-web-tests", Guid.NewGuid().ToString("N"));
        database = sharedWith?.database ?? TestDatabases.Create(Folder);
        settings = new(database)
        {
            ["Bootstrap:AdminEmail"] = AdminEmail,
            ["RLHF_ADMIN_PASSWORD"] = AdminPassword,
            ["Identity:MaxFailedAccessAttempts"] = "3",
            ["Demo:Enabled"] = "false",
        };
        foreach (var (k, v) in overrides ?? []) settings[k] = v;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (k, v) in settings) builder.UseSetting(k, v);
        if (TestServices is { } configure) builder.ConfigureTestServices(configure);
    }

    public HttpClient Client(bool followRedirects = false) =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects, HandleCookies = true });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!ownsDatabase) return;
        await TestDatabases.DropAsync(database);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
