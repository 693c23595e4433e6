using System.Security.Claims;
using Microsoft.AspNetCore.Http.Extensions;
using Rlhf.Data.Pools;

namespace Rlhf.Web.Api;

/// <summary>
/// Admins over the API: the Pools page's work (list and create pools, add and remove members, make, list and revoke
/// invitation links) through the same <see cref="PoolService"/>, so the same rules hold and the same audit events are
/// written, with the caller named "(API)". An invitation's secret token is in the creation answer only; the site keeps
/// its hash.
/// </summary>
public static class PoolEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var pools = api.MapGroup("/pools").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin: pools");

        pools.MapGet("/", async (PoolService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)))
            .WithSummary("Admins: every rater pool with its members and invitations.").Produces<IReadOnlyList<PoolSummary>>();

        pools.MapGet("/{id:int}", async (int id, PoolService service, CancellationToken ct) =>
                await service.GetAsync(id, ct) is { } pool ? Results.Ok(pool) : NoSuchPool(id))
            .WithSummary("Admins: one pool with its members and invitations.").Produces<PoolSummary>().ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapPost("/", async (CreatePoolRequest body, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
            {
                var (id, error) = await service.CreatePoolAsync(body.Name ?? "", body.Description ?? "", caller.Actor(), ct);
                return id is { } created
                    ? Results.Created($"/api/v1/pools/{created}", new { id = created })
                    : ApiProblem.BadRequest("Invalid pool", error);
            })
            .WithSummary("Admins: create a rater pool (names are unique).").ProducesProblem(StatusCodes.Status400BadRequest);

        pools.MapPost("/{id:int}/members", async (int id, PoolMemberRequest body, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
            {
                if (await service.GetAsync(id, ct) is null) return NoSuchPool(id);
                var error = await service.AddMemberAsync(id, body.Email ?? "", caller.Actor(), ct);
                return error is null ? Results.NoContent() : ApiProblem.BadRequest("Not added", error);
            })
            .WithSummary("Admins: add an existing account to the pool by its e-mail.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapDelete("/{id:int}/members/{userId}", async (int id, string userId, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
            {
                var pool = await service.GetAsync(id, ct);
                if (pool is null) return NoSuchPool(id);
                if (pool.Members.All(m => m.UserId != userId)) return ApiProblem.NotFound($"User {userId} is not in pool {id}.");
                var error = await service.RemoveMemberAsync(id, userId, caller.Actor(), ct);
                return error is null ? Results.NoContent() : ApiProblem.BadRequest("Not removed", error);
            })
            .WithSummary("Admins: take an account out of the pool.").ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapGet("/{id:int}/invitations", async (int id, PoolService service, CancellationToken ct) =>
                await service.GetAsync(id, ct) is { } pool ? Results.Ok(pool.Invitations) : NoSuchPool(id))
            .WithSummary("Admins: the pool's invitations, newest first, with uses and whether each is still usable (never their tokens).")
            .Produces<IReadOnlyList<InvitationRow>>().ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapPost("/{id:int}/invitations", async (int id, InvitationRequest? body, HttpRequest request, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
            {
                if (await service.GetAsync(id, ct) is null) return NoSuchPool(id);
                var (invitationId, token, error) = await service.CreateInvitationAsync(id,
                    body?.ValidDays ?? PoolService.DefaultInvitationDays, body?.MaxUses ?? PoolService.DefaultInvitationUses, caller.Actor(), ct);
                if (invitationId is not { } created) return ApiProblem.BadRequest("Invalid invitation", error);
                var link = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, $"/invite/{token}");
                return Results.Created($"/api/v1/pools/{id}/invitations", new CreatedInvitation(created, id, token!, link));
            })
            .WithSummary("Admins: make an invitation link (validDays 1-365, default 7; maxUses 1-10,000, default 1); its token is in this answer only.")
            .Produces<CreatedInvitation>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        pools.MapPost("/{id:int}/invitations/{invitationId:int}/revoke", async (int id, int invitationId, ClaimsPrincipal caller, PoolService service, CancellationToken ct) =>
            {
                var pool = await service.GetAsync(id, ct);
                if (pool is null) return NoSuchPool(id);
                if (pool.Invitations.All(i => i.Id != invitationId)) return ApiProblem.NotFound($"Pool {id} has no invitation {invitationId}.");
                var error = await service.RevokeInvitationAsync(invitationId, caller.Actor(), ct);
                return error is null ? Results.NoContent() : ApiProblem.BadRequest("Not revoked", error);
            })
            .WithSummary("Admins: revoke an invitation link; nobody can join through it any more.").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult NoSuchPool(int id) => ApiProblem.NotFound($"There is no pool {id}.");
}
