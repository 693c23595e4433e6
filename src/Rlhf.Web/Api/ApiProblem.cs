namespace Rlhf.Web.Api;

/// <summary>The API's problem-details answers for refused input and unknown ids.</summary>
internal static class ApiProblem
{
    public static IResult BadRequest(string title, string? detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
