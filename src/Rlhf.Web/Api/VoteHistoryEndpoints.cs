using System.Security.Claims;
using Rlhf.Data.Rating;

namespace Rlhf.Web.Api;

/// <summary>Raters' own recent votes over the API, as the rating page's history (H) shows them: list, change, undo.</summary>
public static class VoteHistoryEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/votes/mine").RequireAuthorization(ApiPolicies.Rater).WithTags("Rating");

        group.MapGet("", async (ClaimsPrincipal user, VoteHistoryService history, CancellationToken ct) => Results.Ok(await history.RecentAsync(user.Id(), ct)))
            .WithSummary($"Your {VoteHistoryService.RecentCount} most recent counted votes, newest first, as you saw them; 'final' says why one can no longer be changed.")
            .Produces<IReadOnlyList<VoteHistoryItem>>();

        group.MapPut("/{id:long}", async (long id, VoteRequest body, ClaimsPrincipal user, VoteHistoryService history, CancellationToken ct) =>
                RatingEndpoints.ToResult(await history.ChangeAsync(user.Actor(), id, body.Choice, body.BothBad, body.Rationale, ct)))
            .WithSummary("Change your own vote (choice as you were shown the sides), until its comparison has all its votes or the project's window has passed (409 then); 404 for a vote that is not yours.")
            .Produces<RatingResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{id:long}/undo", async (long id, ClaimsPrincipal user, VoteHistoryService history, CancellationToken ct) =>
                RatingEndpoints.ToResult(await history.UndoAsync(user.Actor(), id, ct)))
            .WithSummary("Undo your own vote: the comparison goes back to the pool. 409 once the vote is final; 404 for a vote that is not yours.")
            .Produces<RatingResult>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }
}
