using System.Security.Claims;
using Rlhf.Data.Users;

namespace Rlhf.Web.Api;

/// <summary>
/// Admins over the API: the Users page's work (list, create, roles, lock and unlock) through the same
/// <see cref="UserDirectory"/>, so the same rules hold (the last admin keeps the role and cannot be locked, nobody locks
/// their own account) and the same audit events are written, with the caller named "(API)".
/// </summary>
public static class UserEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(ApiPolicies.Admin).WithTags("Admin: users");

        users.MapGet("/", async (UserDirectory directory, CancellationToken ct) => Results.Ok(await directory.ListAsync(ct)))
            .WithSummary("Admins: every account with its roles and whether it is locked.").Produces<IReadOnlyList<UserSummary>>();

        users.MapGet("/{id}", async (string id, UserDirectory directory, CancellationToken ct) =>
                await directory.GetAsync(id, ct) is { } user ? Results.Ok(user) : NoSuchUser(id))
            .WithSummary("Admins: one account.").Produces<UserSummary>().ProducesProblem(StatusCodes.Status404NotFound);

        users.MapPost("/", async (CreateUserRequest body, ClaimsPrincipal caller, UserDirectory directory, CancellationToken ct) =>
            {
                var result = await directory.CreateAsync(body.Email ?? "", body.Roles ?? [], body.Password, caller.Actor(), ct);
                return result.Succeeded
                    ? Results.Created($"/api/v1/users/{result.UserId}", new CreatedUser(result.UserId!, result.GeneratedPassword))
                    : ApiProblem.BadRequest("Invalid user", result.Error);
            })
            .WithSummary("Admins: create an account with roles; without a password one is generated and returned only in this answer.")
            .Produces<CreatedUser>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);

        users.MapPut("/{id}/roles", (string id, RolesRequest body, ClaimsPrincipal caller, UserDirectory directory, CancellationToken ct) =>
                ChangeAsync(id, directory, () => directory.SetRolesAsync(id, body.Roles ?? [], caller.Actor(), ct), ct))
            .WithSummary("Admins: set an account's roles (the whole set); the last admin keeps the Admin role.")
            .Produces<UserSummary>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        users.MapPost("/{id}/lock", (string id, ClaimsPrincipal caller, UserDirectory directory, CancellationToken ct) =>
                ChangeAsync(id, directory, () => directory.SetLockedAsync(id, true, caller.Actor(), ct), ct))
            .WithSummary("Admins: lock an account until unlocked (its leases go back to the queue, its sessions and tokens stop); not your own, not the last admin.")
            .Produces<UserSummary>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        users.MapPost("/{id}/unlock", (string id, ClaimsPrincipal caller, UserDirectory directory, CancellationToken ct) =>
                ChangeAsync(id, directory, () => directory.SetLockedAsync(id, false, caller.Actor(), ct), ct))
            .WithSummary("Admins: unlock an account.")
            .Produces<UserSummary>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>404 for an unknown id, 400 with the directory's reason when it refuses the change, else the user as they are now.</summary>
    private static async Task<IResult> ChangeAsync(string id, UserDirectory directory, Func<Task<UserCommandResult>> change, CancellationToken ct)
    {
        if (await directory.GetAsync(id, ct) is null) return NoSuchUser(id);
        var result = await change();
        return result.Succeeded ? Results.Ok(await directory.GetAsync(id, ct)) : ApiProblem.BadRequest("Refused", result.Error);
    }

    private static IResult NoSuchUser(string id) => ApiProblem.NotFound($"There is no user {id}.");
}
