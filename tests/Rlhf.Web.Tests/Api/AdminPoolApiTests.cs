using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rlhf.Web.Tests.Api;

/// <summary>The Pools page's rules over the API: bad input is a 400 with the reason, unknown ids a 404, nothing half-made.</summary>
public class AdminPoolApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Bad_pool_member_and_invitation_input_is_refused_with_reasons()
    {
        var admin = await ApiSession.AdminAsync(factory);
        Assert.Contains("Name the pool", await ApiSession.ProblemAsync(await admin.PostAsJsonAsync("/api/v1/pools", new { name = " " }), HttpStatusCode.BadRequest));
        var created = await admin.PostAsJsonAsync("/api/v1/pools", new { name = "Team" });
        var pool = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.Contains("already exists", await ApiSession.ProblemAsync(await admin.PostAsJsonAsync("/api/v1/pools", new { name = "Team" }), HttpStatusCode.BadRequest));

        Assert.Contains("no user with e-mail", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/members", new { email = "ghost@example.test" }), HttpStatusCode.BadRequest));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/members", new { email = RlhfWebFactory.AdminEmail })).StatusCode);
        Assert.Contains("already in Team", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/members", new { email = RlhfWebFactory.AdminEmail }), HttpStatusCode.BadRequest));

        Assert.Contains("1 to 365 days", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/invitations", new { validDays = 0 }), HttpStatusCode.BadRequest));
        Assert.Contains("10,000", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync($"/api/v1/pools/{pool}/invitations", new { maxUses = 10_001 }), HttpStatusCode.BadRequest));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{pool}/invitations")).GetArrayLength());

        // Without a body: the page's defaults, 7 days and a single use.
        var invited = await admin.PostAsync($"/api/v1/pools/{pool}/invitations", null);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var row = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{pool}/invitations"))[0];
        Assert.Equal(1, row.GetProperty("maxUses").GetInt32());
        Assert.InRange(row.GetProperty("expiresAtUtc").GetDateTime() - DateTime.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7));

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?filter=pool");
        Assert.Equal(["pool.member-added", "pool.created"], audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Unknown_pools_members_and_invitations_are_404()
    {
        var admin = await ApiSession.AdminAsync(factory);
        var pool = (await (await admin.PostAsJsonAsync("/api/v1/pools", new { name = "Team" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var other = (await (await admin.PostAsJsonAsync("/api/v1/pools", new { name = "Other" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var invitation = (await (await admin.PostAsync($"/api/v1/pools/{other}/invitations", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        Assert.Contains("no pool 999", await ApiSession.ProblemAsync(await admin.GetAsync("/api/v1/pools/999"), HttpStatusCode.NotFound));
        await ApiSession.ProblemAsync(await admin.GetAsync("/api/v1/pools/999/invitations"), HttpStatusCode.NotFound);
        await ApiSession.ProblemAsync(await admin.PostAsJsonAsync("/api/v1/pools/999/members", new { email = RlhfWebFactory.AdminEmail }), HttpStatusCode.NotFound);
        await ApiSession.ProblemAsync(await admin.PostAsync("/api/v1/pools/999/invitations", null), HttpStatusCode.NotFound);
        await ApiSession.ProblemAsync(await admin.DeleteAsync($"/api/v1/pools/{pool}/members/no-such-user"), HttpStatusCode.NotFound);
        await ApiSession.ProblemAsync(await admin.PostAsync($"/api/v1/pools/{pool}/invitations/999/revoke", null), HttpStatusCode.NotFound);
        // An invitation is revoked through its own pool only.
        await ApiSession.ProblemAsync(await admin.PostAsync($"/api/v1/pools/{pool}/invitations/{invitation}/revoke", null), HttpStatusCode.NotFound);
        Assert.True((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/pools/{other}/invitations"))[0].GetProperty("usable").GetBoolean());
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?filter=revoked")).GetProperty("total").GetInt32());
    }
}
