using System.Security.Claims;
using Rlhf.Jobs.Runs;

namespace Rlhf.Web.Api;

/// <summary>Researchers over the API: training runs (reward, PPO) as the Runs page shows them.</summary>
public static class RunEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").RequireAuthorization(ApiPolicies.Researcher).WithTags("Runs");
        runs.MapGet("/", async (ClaimsPrincipal user, RunCatalog catalog, CancellationToken ct) => Results.Ok(await catalog.ListAsync(user.Actor(), ct: ct)))
            .WithSummary("The newest runs, newest first: kind, status, name, key settings, progress and key metrics.")
            .Produces<IReadOnlyList<RunSummary>>();
        runs.MapGet("/{id:long}", async (long id, ClaimsPrincipal user, RunCatalog catalog, CancellationToken ct) =>
                await catalog.GetAsync(id, user.Actor(), ct) is { } run ? Results.Ok(run)
                    : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no run {id}."))
            .WithSummary("One run with its settings.").Produces<RunSummary>().ProducesProblem(StatusCodes.Status404NotFound);
    }
}
