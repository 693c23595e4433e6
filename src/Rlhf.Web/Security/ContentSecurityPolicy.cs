using System.Security.Cryptography;

namespace Rlhf.Web.Security;

/// <summary>
/// The site's Content-Security-Policy, on every answer: scripts and styles from the site only (the import map, the one
/// inline script, carries the request's nonce; MudBlazor sets inline styles), images from the site or data: URLs only
/// (a remote image in a prompt or response never loads in a rater's browser), connections (Blazor's WebSocket,
/// enhanced navigation) to the site only, no plugins, no framing, forms post to the site only. Also nosniff and a
/// same-origin referrer.
/// </summary>
public static class ContentSecurityPolicy
{
    public const string HeaderName = "Content-Security-Policy";
    private const string NonceKey = "rlhf-csp-nonce";

    public static string Policy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>This request's nonce for inline scripts (16 random bytes in hex: nothing for HTML to escape).</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is string nonce) return nonce;
        nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        return nonce;
    }

    public static IApplicationBuilder UseContentSecurityPolicy(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Headers are set as the answer starts, so error pages written after a Response.Clear() get them too.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[HeaderName] = Policy(Nonce(context));
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
