using System.Security.Claims;
using Rlhf.Data.Demonstrations;
using Rlhf.Data.Rating;

namespace Rlhf.Web.Api;

/// <summary>
/// Raters over the API in demonstration projects: the next prompt to write for, and the reply; only on their own live
/// assignments (a skip is <c>POST /api/v1/assignments/{id}/skip</c>, as for comparisons). The answers are the rating API's.
/// </summary>
public static class DemonstrationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/demonstrations").RequireAuthorization(ApiPolicies.Rater).WithTags("Rating");

        group.MapGet("/next", async (ClaimsPrincipal user, DemonstrationService demonstrations, CancellationToken ct) =>
                await demonstrations.NextAsync(user.Id(), ct) is { } task ? Results.Ok(task) : Results.NoContent())
            .WithSummary("The caller's live demonstration task (a prompt to write the reply to), or a new one; 204 when there is nothing to write.")
            .Produces<DemonstrationTask>().Produces(StatusCodes.Status204NoContent);

        group.MapPost("/{id:long}/reply", async (long id, DemonstrationRequest body, ClaimsPrincipal user, DemonstrationService demonstrations, CancellationToken ct) =>
                RatingEndpoints.ToResult(await demonstrations.SubmitAsync(user.Id(), id, body.Text, ct)))
            .WithSummary("Your reply to your own demonstration task (VoteId in the answer is the demonstration's id); 400 for an empty reply, nothing stored; a repeated reply returns the first and stores nothing new; 409 when the task ended or the project is not active.")
            .Produces<RatingResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status403Forbidden);
    }
}
