using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Rlhf.Web.Api;

/// <summary>
/// Makes the OpenAPI document usable from the API docs page: it declares the personal API token as an HTTP bearer
/// scheme that every operation requires (so swagger-ui shows an Authorize button and "Try it out" sends the token), and
/// leaves out the site's own /Account endpoints, which a script cannot call.
/// </summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string Scheme = "ApiToken";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "rlhf_…",
            Description = "A personal API token (make one on the API tokens page, or POST /api/v1/auth/token).",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] }];
        foreach (var path in document.Paths.Keys.Where(p => p.StartsWith("/Account", StringComparison.OrdinalIgnoreCase)).ToList())
            document.Paths.Remove(path);
        return Task.CompletedTask;
    }
}
