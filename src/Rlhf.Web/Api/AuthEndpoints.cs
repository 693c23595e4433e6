using Microsoft.AspNetCore.Identity;
using Rlhf.Data.Identity;
using Rlhf.Data.Pools;
using Rlhf.Data.Tokens;
using Rlhf.Web.Services;

namespace Rlhf.Web.Api;

/// <summary>
/// Signing in without a browser: accept an invitation (a new rater joins its pool) and exchange an e-mail and password
/// for a personal API token. Both are anonymous and rate-limited per client address; failed passwords count towards
/// the account's lockout exactly as on the sign-in page, and accounts with two-factor sign-in are refused (their tokens
/// are made on the API tokens page).
/// </summary>
public static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/invitations/{token}/accept", async (string token, AcceptInvitationRequest body, PoolService pools, CancellationToken ct) =>
            {
                var result = await pools.RegisterAsync(token, body.Email ?? "", body.Password ?? "", ct);
                return result.Succeeded
                    ? Results.Created((string?)null, new { userId = result.UserId })
                    : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not registered", detail: result.Error);
            })
            .AllowAnonymous().WithTags("Sign-in")
            .WithSummary("Join a rater pool through an invitation token with an e-mail and a password (a new Rater account).")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapPost("/auth/token", async (TokenRequest body, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn,
                ApiTokenService tokens, IPasswordHasher<ApplicationUser> hasher, DecoyPasswordCheck decoy, CancellationToken ct) =>
            {
                const string wrong = "Wrong e-mail or password.";
                var user = await users.FindByEmailAsync(body.Email ?? "");
                if (user is null)
                {
                    decoy.Verify(hasher, body.Password); // as long as a wrong password: no account enumeration by timing
                    return Unauthorized(wrong);
                }
                var check = await signIn.CheckPasswordSignInAsync(user, body.Password ?? "", lockoutOnFailure: true);
                if (check.IsLockedOut) return Unauthorized("The account is locked. Try again later or ask an admin.");
                if (!check.Succeeded) return Unauthorized(wrong);
                if (user.TwoFactorEnabled)
                    return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Two-factor sign-in",
                        detail: "This account signs in with a second factor; make its API token on the API tokens page instead.");
                var days = body.ValidDays ?? 1;
                var (secret, error) = await tokens.CreateAsync(user.Id, string.IsNullOrWhiteSpace(body.Name) ? "signed in through the API" : body.Name, days, ct);
                return secret is null
                    ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No token", detail: error)
                    : Results.Ok(new TokenResponse(secret, DateTime.UtcNow.AddDays(days)));
            })
            .AllowAnonymous().WithTags("Sign-in")
            .WithSummary("Exchange an e-mail and password for a personal API token (valid 1 day unless validDays says otherwise, at most 366).")
            .Produces<TokenResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static IResult Unauthorized(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in", detail: detail);
}
