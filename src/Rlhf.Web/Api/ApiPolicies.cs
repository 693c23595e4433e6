using Microsoft.AspNetCore.Authorization;
using Rlhf.Core.Identity;

namespace Rlhf.Web.Api;

/// <summary>The API's authorization policies: token authentication plus the role a call needs.</summary>
public static class ApiPolicies
{
    public const string Researcher = "api-researcher";
    public const string Rater = "api-rater";
    public const string AnyUser = "api-user";
    public const string Admin = "api-admin";
    public const string RateLimit = "api";

    public static void Add(AuthorizationBuilder builder)
    {
        builder.AddPolicy(Researcher, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireRole(Roles.Admin, Roles.Researcher));
        builder.AddPolicy(Rater, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireRole(Roles.Rater));
        builder.AddPolicy(Admin, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireRole(Roles.Admin));
        builder.AddPolicy(AnyUser, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
    }
}
