using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Identity;
using Rlhf.Data.Pools;

namespace Rlhf.Web.Tests.Api;

/// <summary>Signing in without a browser: invitations and password -> API token, with lockout and two-factor rules.</summary>
public class AuthApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<string> InvitationAsync(int maxUses = 5)
    {
        _ = factory.Client();
        await using var scope = factory.Services.CreateAsyncScope();
        var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
        var (poolId, error) = await pools.CreatePoolAsync("simulated", "", null);
        Assert.Null(error);
        var (_, token, invitationError) = await pools.CreateInvitationAsync(poolId!.Value, 7, maxUses, null);
        Assert.Null(invitationError);
        return token!;
    }

    [Fact]
    public async Task A_new_rater_joins_through_an_invitation_signs_in_and_uses_the_token()
    {
        var invitation = await InvitationAsync();
        var client = factory.Client();
        var joined = await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "sim-1@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);

        var signedIn = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "sim-1@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var body = await signedIn.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        Assert.StartsWith("rlhf_", token);
        Assert.True(body.GetProperty("expiresAtUtc").GetDateTime() > DateTime.UtcNow.AddHours(23));

        var api = factory.Client();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // A rater with nothing to rate: 204, not 401/403.
        Assert.Equal(HttpStatusCode.NoContent, (await api.GetAsync("/api/v1/assignments/next")).StatusCode);
        // ... and no research call.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/projects")).StatusCode);
    }

    [Fact]
    public async Task A_used_up_or_unknown_invitation_and_a_weak_password_are_refused_with_reasons()
    {
        var invitation = await InvitationAsync(maxUses: 1);
        var client = factory.Client();
        var weak = await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "weak@example.test", password = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("Password", await weak.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "one@example.test", password = "Sim-Password-1" })).StatusCode);
        var again = await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "two@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("not valid any more", await again.Content.ReadAsStringAsync());
        var unknown = await client.PostAsJsonAsync("/api/v1/invitations/nope/accept", new { email = "three@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Null(await users.FindByEmailAsync("two@example.test"));
        Assert.Null(await users.FindByEmailAsync("weak@example.test"));
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_as_the_sign_in_page_does()
    {
        var invitation = await InvitationAsync();
        var client = factory.Client();
        await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "lock@example.test", password = "Sim-Password-1" });
        for (var i = 0; i < 3; i++) // the test site locks after 3 failures
        {
            var wrong = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "lock@example.test", password = "Wrong-Password-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        var right = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "lock@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
        var nobody = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, nobody.StatusCode);
    }

    [Fact]
    public async Task An_account_with_two_factor_sign_in_gets_no_token_from_a_password()
    {
        var invitation = await InvitationAsync();
        var client = factory.Client();
        await client.PostAsJsonAsync($"/api/v1/invitations/{invitation}/accept", new { email = "2fa@example.test", password = "Sim-Password-1" });
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByEmailAsync("2fa@example.test");
            Assert.True((await users.SetTwoFactorEnabledAsync(user!, true)).Succeeded);
        }
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "2fa@example.test", password = "Sim-Password-1" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
