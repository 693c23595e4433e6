using System.Security.Claims;
using Rlhf.Core.Identity;
using Rlhf.Data.Exchange;
using Rlhf.Data.Projects;
using Rlhf.Data.Statistics;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;

namespace Rlhf.Web.Api;

/// <summary>Researchers over the API: projects, comparisons, statistics, models and jobs.</summary>
public static class ProjectEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects").RequireAuthorization(ApiPolicies.Researcher).WithTags("Projects");

        projects.MapGet("/", async (ClaimsPrincipal user, ProjectService service, CancellationToken ct) => Results.Ok(await service.ListAsync(user.Actor(), ct)))
            .WithSummary("The projects you are a member of (every project for admins) with their progress.").Produces<IReadOnlyList<ProjectSummary>>();

        projects.MapGet("/{id:int}", async (int id, ClaimsPrincipal user, ProjectService service, CancellationToken ct) =>
                await service.GetAsync(id, user.Actor(), ct) is { } found ? Results.Ok(ProjectEdit.From(found.Project, found.PoolIds)) : NotFound($"There is no project {id}."))
            .WithSummary("A project's settings.").Produces<ProjectEdit>().ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapPost("/", async (ProjectEdit body, ClaimsPrincipal user, ProjectService service, CancellationToken ct) =>
            {
                var (id, errors) = await service.SaveAsync(null, body, user.Actor(), ct);
                return id is { } created
                    ? Results.Created($"/api/v1/projects/{created}", new { id = created })
                    : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid project", detail: string.Join(" ", errors));
            })
            .WithSummary("Create a project.").ProducesProblem(StatusCodes.Status400BadRequest);

        projects.MapPut("/{id:int}", async (int id, ProjectEdit body, ClaimsPrincipal user, ProjectService service, CancellationToken ct) =>
            {
                if (await service.GetAsync(id, user.Actor(), ct) is null) return NotFound($"There is no project {id}.");
                var (_, errors) = await service.SaveAsync(id, body, user.Actor(), ct);
                return errors.Count == 0 ? Results.NoContent()
                    : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid project", detail: string.Join(" ", errors));
            })
            .WithSummary("Change a project's settings.").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapGet("/{id:int}/comparisons", async (int id, int? skip, int? take, ClaimsPrincipal user, ProjectService service, CancellationToken ct) =>
                await service.GetAsync(id, user.Actor(), ct) is null ? NotFound($"There is no project {id}.")
                    : Results.Ok(await service.ComparisonsAsync(id, Math.Max(0, skip ?? 0), Math.Clamp(take ?? 100, 1, 1000), ct)))
            .WithSummary("A page of the project's comparisons with their sources, votes and gold answers.")
            .Produces<IReadOnlyList<ComparisonRow>>().ProducesProblem(StatusCodes.Status404NotFound);

        projects.MapGet("/{id:int}/statistics", async (int id, ClaimsPrincipal user, ProjectService service, ProjectStatisticsService statistics, RaterPseudonyms pseudonyms, CancellationToken ct) =>
                await service.GetAsync(id, user.Actor(), ct) is not null && await statistics.DashboardAsync(id, ct) is { } dashboard
                    && (user.IsInRole(Roles.Admin) ? dashboard : dashboard.WithPseudonyms(pseudonyms, id)) is var d
                    ? Results.Ok(new
                    {
                        d.Comparisons, d.CompleteComparisons, d.Votes, d.Skips, d.OpenLeases,
                        PercentAgreement = Finite(d.PercentAgreement), FleissKappa = Finite(d.FleissKappa),
                        KrippendorffAlphaOrdinal = Finite(d.KrippendorffAlphaOrdinal), d.Raters,
                    })
                    : NotFound($"There is no project {id}."))
            .WithSummary("Progress, agreement and per-rater statistics (null where there is not enough data). Researchers see each rater as the pseudonym of the project's exports; admins see user ids and e-mails.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        MapMembers(projects);

        var models = api.MapGroup("/models").RequireAuthorization(ApiPolicies.Researcher).WithTags("Models");
        models.MapGet("/", async (ModelRegistry registry, CancellationToken ct) => Results.Ok(await registry.ListAsync(ct)))
            .WithSummary("The model registry with lineage.");

        var jobs = api.MapGroup("/jobs").RequireAuthorization(ApiPolicies.Researcher).WithTags("Jobs");
        jobs.MapGet("/{id:long}", async (long id, ClaimsPrincipal user, JobQueue queue, CancellationToken ct) =>
                await queue.GetAsync(id, user.Actor(), ct) is { } job ? Results.Ok(job) : NotFound($"There is no job {id}."))
            .WithSummary("A job's status, progress and error.").ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/{id:long}/cancel", async (long id, ClaimsPrincipal user, JobQueue queue, CancellationToken ct) =>
                await queue.RequestCancelAsync(id, user.Actor(), ct) ? Results.Accepted($"/api/v1/jobs/{id}")
                    : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already ended", detail: $"Job {id} does not exist or has already ended."))
            .WithSummary("Cancel a queued or running job.");
    }

    /// <summary>A project's researchers: members read them, the owner and admins add and remove them (audited).</summary>
    private static void MapMembers(RouteGroupBuilder projects)
    {
        projects.MapGet("/{id:int}/members", async (int id, ClaimsPrincipal user, ProjectMemberService members, CancellationToken ct) =>
                await members.ListAsync(id, user.Actor(), ct) is { } rows ? Results.Ok(rows) : NotFound($"There is no project {id}."))
            .WithSummary("The project's owner and researchers.").Produces<IReadOnlyList<ProjectMemberRow>>().ProducesProblem(StatusCodes.Status404NotFound);
        projects.MapPost("/{id:int}/members", async (int id, ProjectMemberRequest body, ClaimsPrincipal user, ProjectMemberService members, CancellationToken ct) =>
                ToResult(await members.AddAsync(id, body.Email, user.Actor(), ct)))
            .WithSummary("Add a researcher (by e-mail); the project's owner or an admin only.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        projects.MapDelete("/{id:int}/members/{userId}", async (int id, string userId, ClaimsPrincipal user, ProjectMemberService members, CancellationToken ct) =>
                ToResult(await members.RemoveAsync(id, userId, user.Actor(), ct)))
            .WithSummary("Remove a researcher (not the owner); the project's owner or an admin only.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult ToResult(MembershipResult result) => result.Outcome switch
    {
        MembershipOutcome.Done => Results.NoContent(),
        MembershipOutcome.NotFound => NotFound(result.Error!),
        MembershipOutcome.Forbidden => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: result.Error),
        _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Refused", detail: result.Error),
    };

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    private static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
