namespace Rlhf.Web.Api;

/// <summary>The API's problem-details answers for refused input, unknown ids and missing sign-in.</summary>
internal static class ApiProblem
{
    public static IResult BadRequest(string title, string? detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Unauthorized(string? detail = null) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: detail ?? "Send a personal API token: Authorization: Bearer rlhf_... (make one on the API tokens page).");

    public static IResult Forbidden() =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Your roles do not allow this call.");
}
