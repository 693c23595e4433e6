using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Identity;

namespace Rlhf.Web.Api.Errors;

/// <summary>
/// Every <c>/api/v1</c> answer that is an error is RFC 7807 problem details: strict JSON input (no numbers from
/// strings, no unknown fields, no nulls where the type has none, enums by name), binding errors as 400 naming the
/// field, unknown routes 404, body limits 413, no sign-in 401 (never a redirect to the login page).
/// </summary>
public static class ApiErrorsExtensions
{
    public const string Prefix = "/api/v1";

    public static bool IsApi(this HttpRequest request) => request.Path.StartsWithSegments(Prefix);

    public static IServiceCollection AddApiErrors(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => Strict(o.SerializerOptions));
        // Bad input throws in every environment, so the middleware can answer it with the field's name.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var login = o.Events.OnRedirectToLogin;
            var denied = o.Events.OnRedirectToAccessDenied;
            o.Events.OnRedirectToLogin = c => c.Request.IsApi() ? ApiProblem.Unauthorized().ExecuteAsync(c.HttpContext) : login(c);
            o.Events.OnRedirectToAccessDenied = c => c.Request.IsApi() ? ApiProblem.Forbidden().ExecuteAsync(c.HttpContext) : denied(c);
        });
        return services;
    }

    /// <summary>The API's JSON rules: what a request may say, and how answers are written.</summary>
    public static void Strict(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
    }

    /// <summary>After routing and the status-code pages, before authentication: see <see cref="ApiErrorMiddleware"/>.</summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app) => app.UseMiddleware<ApiErrorMiddleware>();
}
