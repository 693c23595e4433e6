using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Rlhf.Data.Audit;
using Rlhf.Web.Services;

namespace Rlhf.Web.Tests.Services;

public class CurrentActorTests
{
    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    [Fact]
    public async Task The_actor_is_the_signed_in_users_id_and_name()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "user-7"), new Claim(ClaimTypes.Name, "ada@example.test")], "test"));
        Assert.Equal(new AuditActor("user-7", "ada@example.test"), await new CurrentActor(new SignedIn(user)).GetAsync());
    }

    [Fact]
    public async Task Without_a_signed_in_user_the_actor_is_unknown() =>
        Assert.Equal(new AuditActor(null, "unknown"), await new CurrentActor(new SignedIn(new ClaimsPrincipal(new ClaimsIdentity()))).GetAsync());
}
