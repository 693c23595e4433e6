namespace Rlhf.Web.Components.Account;

/// <summary>
/// Where the sign-in pages may send the browser: a path on this site, or an absolute address under the site's base.
/// Anything else (another host, "//host", "/\host", a scheme such as javascript:, control characters) becomes the home
/// page, so a crafted ReturnUrl neither leaves the site nor breaks the sign-in.
/// </summary>
internal static class LocalRedirect
{
    /// <summary>The target relative to <paramref name="baseUri"/> ("" is the home page).</summary>
    public static string Resolve(string? uri, string baseUri)
    {
        if (string.IsNullOrEmpty(uri) || uri.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || uri.Contains('\\')) return "";
        if (uri.StartsWith(baseUri, StringComparison.OrdinalIgnoreCase)) return uri[baseUri.Length..];
        if (uri.StartsWith("//", StringComparison.Ordinal)) return "";
        if (uri.Split('/', '?', '#')[0].Contains(':')) return ""; // a scheme: https:, javascript:, data:
        return Uri.IsWellFormedUriString(uri, UriKind.Relative) ? uri : "";
    }
}
