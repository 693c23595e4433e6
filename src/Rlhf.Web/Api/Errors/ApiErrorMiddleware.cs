using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Rlhf.Web.Api.Errors;

/// <summary>
/// For <c>/api/v1</c>: an unknown route is a 404 problem (whoever asks, before sign-in is checked); bad input
/// (<see cref="BadHttpRequestException"/>: JSON, binding, body size) is a problem naming the field; an empty error
/// answer (405, a bare 404) gets a problem body; any other exception is a 500 problem with its trace id and no stack
/// trace. Elsewhere bad input keeps its status code (400, 413) for the site's status page instead of becoming a 500.
/// </summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, IOptions<JsonOptions> json, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var api = context.Request.IsApi();
        if (api && context.GetEndpoint() is not RouteEndpoint)
        {
            if (context.GetEndpoint()?.RequestDelegate is not { } rejection)
            {
                await ApiProblem.NotFound($"There is no API route {context.Request.Method} {context.Request.Path}; see /api/docs.").ExecuteAsync(context);
                return;
            }
            // Routing's own answers (405 wrong method, 415 wrong content type) carry no authorization: answer them now,
            // before the site's sign-in rules would turn them into a challenge.
            await rejection(context);
            await ProblemForEmptyErrorAsync(context);
            return;
        }
        try
        {
            await next(context);
        }
        catch (Exception ex) when (BindingProblem.From(ex, context, json.Value.SerializerOptions) is { } problem && !context.Response.HasStarted)
        {
            logger.LogInformation("Refused input on {Path}: {Detail}", context.Request.Path, problem.Detail);
            context.Response.Clear();
            if (api) await problem.ToResult().ExecuteAsync(context);
            else context.Response.StatusCode = problem.Status;
            return;
        }
        catch (Exception ex) when (api && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(ex, "API call {Method} {Path} failed", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Server error",
                detail: $"The call failed on the server; the log has the details under trace id {context.TraceIdentifier}.").ExecuteAsync(context);
            return;
        }
        if (api) await ProblemForEmptyErrorAsync(context);
    }

    /// <summary>An error status with no body yet (a bare 404, routing's 405 and 415) gets a problem body.</summary>
    private static async Task ProblemForEmptyErrorAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType)) return;
        var detail = response.StatusCode switch
        {
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}; see /api/docs.",
            StatusCodes.Status415UnsupportedMediaType => $"Send the body as JSON with Content-Type: application/json, not '{context.Request.ContentType}'.",
            _ => null,
        };
        await Results.Problem(statusCode: response.StatusCode, detail: detail).ExecuteAsync(context);
    }
}
