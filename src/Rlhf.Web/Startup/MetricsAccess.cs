using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Rlhf.Core.Identity;
using Rlhf.Web.Api;

namespace Rlhf.Web.Startup;

/// <summary>
/// Who may read /metrics: an admin (signed in, or with an API token), or a scraper presenting the token configured as
/// <c>Metrics:ScrapeToken</c> (<c>Authorization: Bearer TOKEN</c>). Anyone else gets 401 (no credentials) or 403.
/// </summary>
public static class MetricsAccess
{
    public const string Path = "/metrics";
    public const string ScrapeTokenSetting = "Metrics:ScrapeToken";

    public static IApplicationBuilder UseMetricsAccess(this IApplicationBuilder app, IConfiguration configuration)
    {
        var scrapeToken = configuration[ScrapeTokenSetting];
        return app.UseWhen(c => c.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase), branch => branch.Use(async (context, next) =>
        {
            if (await AllowedAsync(context, scrapeToken)) { await next(context); return; }
            var signedIn = context.User.Identity?.IsAuthenticated == true || context.Request.Headers.Authorization.Count > 0;
            context.Response.StatusCode = signedIn ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(signedIn ? "Metrics are for admins and the configured scraper.\n"
                : $"Sign in as an admin, or send Authorization: Bearer with {ScrapeTokenSetting} or an admin's API token.\n");
        }));
    }

    private static async Task<bool> AllowedAsync(HttpContext context, string? scrapeToken)
    {
        if (context.User.IsInRole(Roles.Admin)) return true; // the site's cookie
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = header["Bearer ".Length..].Trim();
        if (!string.IsNullOrEmpty(scrapeToken) && CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(scrapeToken))))
            return true;
        var api = await context.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
        return api.Succeeded && api.Principal.IsInRole(Roles.Admin);
    }
}
