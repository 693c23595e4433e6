using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using Rlhf.Data;
using Rlhf.Data.Database;
using Rlhf.Data.Hosting;
using Rlhf.Data.Identity;
using Rlhf.Jobs;
using Rlhf.Jobs.Runner;
using Rlhf.Web.Components;
using Rlhf.Web.Components.Account;
using Rlhf.Web.Startup;
using Rlhf.Web.Api;
using Rlhf.Web.Api.Errors;
using Rlhf.Web.Interop;
using Rlhf.Web.Security;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;

namespace Rlhf.Web;

/// <summary>Builds the site: services, the request pipeline and the database start-up.</summary>
public static class RlhfWebApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = ContentRootLocator.Find(),
            WebRootPath = "wwwroot",
        });
        if (!ListenAddresses.AreChosen(builder.Configuration)) builder.WebHost.UseUrls(ListenAddresses.Default);
        // Kestrel's limits from the settings: the top-level appsettings.json closes idle keep-alive connections after
        // 20 s rather than 130 s (a loaded rating page talks over its circuit alone; docs/deploy.md).
        builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        AddServices(builder);
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Compiled JSON contracts for what crosses JS interop, shared by all circuits (Interop/InteropJsonContext.cs).
        services.AddCompiledInteropMetadata();
        services.AddMudServices();
        services.AddSingleton<Rlhf.Web.Services.MarkdownRenderer>();
        services.AddScoped<Rlhf.Web.Services.CurrentActor>();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
        });
        // Locking, role and password changes reach live sessions within seconds: cookies (each request) and circuits
        // recheck the security stamp at this interval instead of Identity's 30 minutes.
        services.Configure<SecurityStampValidatorOptions>(o =>
            o.ValidationInterval = TimeSpan.FromSeconds(builder.Configuration.GetValue("Identity:RevalidateSeconds", 5.0)));
        // Every page and endpoint needs a signed-in user unless it says [AllowAnonymous]; roles narrow it further.
        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        ApiPolicies.Add(authorization);

        // The REST API: problem details for errors, an OpenAPI document, and a per-user (else per-address) rate limit.
        services.AddProblemDetails();
        services.AddApiErrors();
        services.AddSingleton<Rlhf.Web.Services.DecoyPasswordCheck>();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<Rlhf.Web.Api.ApiDocumentTransformer>());
        var perMinute = builder.Configuration.GetValue("Api:RequestsPerMinute", 600);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(ApiPolicies.RateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = (context, ct) => TooManyRequests.WriteAsync(context, perMinute);
        });

        services.AddRlhfData(builder.Configuration, builder.Environment.ContentRootPath)
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityNoOpEmailSender>();

        // Keys in the database, so sign-in cookies survive a restart and every site instance on the database accepts the
        // cookies and antiforgery tokens of the others (several instances behind one load balancer).
        services.RegisteredDatabaseLocation().EnsureFolderWritable();
        services.AddDataProtection()
            .SetApplicationName("Rlhf")
            .PersistKeysToDbContext<RlhfDbContext>();

        services.AddHostedService<DatabaseStartup>();
        services.AddOperations(builder.Configuration);
        services.AddRlhfJobs(builder.Configuration);
        if (builder.Configuration.GetValue($"{JobRunnerOptions.Section}:RunInSite", true))
            services.AddRlhfJobRunner();
    }

    private static void UsePipeline(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseContentSecurityPolicy();
        app.UseApiErrors();

        // The API reference page (static files of swagger-ui over /openapi/v1.json) is public, like the document.
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "api/docs";
            o.SwaggerEndpoint("/openapi/v1.json", "Rlhf API v1");
            o.DocumentTitle = "Rlhf API";
        });

        app.UseAuthentication();
        app.UseOperations();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapOperations();
        // Circuits' WebSockets without per-message compression: its deflate state is kept per connection, and an open
        // rating page held 0.2 MB more resident memory with it (bench circuits, BENCHMARKS.md); a render batch of the
        // rating page is a few kB.
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode(o => o.DisableWebSocketCompression = true);
        app.MapAdditionalIdentityEndpoints();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/v1").RequireRateLimiting(ApiPolicies.RateLimit).DisableAntiforgery();
        ProjectEndpoints.Map(api);
        RunEndpoints.Map(api);
        RatingEndpoints.Map(api);
        VoteHistoryEndpoints.Map(api);
        DemonstrationEndpoints.Map(api);
        AuthEndpoints.Map(api);
        ExchangeEndpoints.Map(api);
        DiagnosticsEndpoints.Map(api);
        UserEndpoints.Map(api);
        PoolEndpoints.Map(api);
        AuditEndpoints.Map(api);
        // The same downloads for the site (cookie sign-in, researchers and admins).
        var downloads = app.MapGroup("/data/projects/{id:int}").RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { Roles = Rlhf.Core.Identity.Roles.AdminOrResearcher });
        ExchangeEndpoints.MapExports(downloads);
    }
}
