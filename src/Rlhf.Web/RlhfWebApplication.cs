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
        AddServices(builder);
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddSingleton<Rlhf.Web.Services.MarkdownRenderer>();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
        });
        // Every page and endpoint needs a signed-in user unless it says [AllowAnonymous]; roles narrow it further.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddRlhfData(builder.Configuration, builder.Environment.ContentRootPath)
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddSingleton<IEmailSender<ApplicationUser>, IdentityNoOpEmailSender>();

        // Keys beside the database, so sign-in cookies survive a restart.
        var location = DatabaseLocation.Resolve(builder.Configuration, builder.Environment.ContentRootPath);
        location.EnsureFolderWritable();
        services.AddDataProtection()
            .SetApplicationName("Rlhf")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(location.FilePath)!, "keys")));

        services.AddHostedService<DatabaseStartup>();
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

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
    }
}
