using System.Security.Claims;
using Rlhf.Data.Rating;

namespace Rlhf.Web.Api;

/// <summary>Raters over the API: the next assignment, a vote, a skip. Only on their own live assignments.</summary>
public static class RatingEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assignments").RequireAuthorization(ApiPolicies.Rater).WithTags("Rating");

        group.MapGet("/next", async (ClaimsPrincipal user, RatingService rating, CancellationToken ct) =>
                await rating.NextAsync(user.Id(), ct) is { } task ? Results.Ok(task) : Results.NoContent())
            .WithSummary("The caller's live assignment, or a new one; 204 when there is nothing to rate.")
            .Produces<RatingTask>().Produces(StatusCodes.Status204NoContent);

        group.MapPost("/{id:long}/vote", async (long id, VoteRequest body, ClaimsPrincipal user, RatingService rating, CancellationToken ct) =>
                ToResult(await rating.SubmitAsync(user.Id(), id, body.Choice, body.BothBad, body.Rationale, ct)))
            .WithSummary("Vote on your own assignment. A repeated vote returns the first one and stores nothing new; 409 when the assignment ended (skipped, or its time ran out and others rated the comparison), when you already voted on the comparison through an earlier assignment, or when the project is paused or closed; 403 when your account is locked.")
            .Produces<RatingResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/{id:long}/skip", async (long id, SkipRequest body, ClaimsPrincipal user, RatingService rating, CancellationToken ct) =>
                ToResult(await rating.SkipAsync(user.Id(), id, body.Reason, ct)))
            .WithSummary("Skip your own assignment with a reason; 409 when you already voted on it.")
            .Produces<RatingResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal static IResult ToResult(RatingResult result) => result.Outcome switch
    {
        RatingOutcome.Stored or RatingOutcome.AlreadyStored => Results.Ok(result),
        RatingOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Error),
        RatingOutcome.LeaseExpired or RatingOutcome.Closed => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Assignment ended", detail: result.Error),
        RatingOutcome.AlreadyVoted => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already voted", detail: result.Error),
        RatingOutcome.Final => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Vote is final", detail: result.Error),
        RatingOutcome.ProjectNotActive => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Project not active", detail: result.Error),
        RatingOutcome.Locked => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Account locked", detail: result.Error),
        _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Refused", detail: result.Error),
    };
}
