using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Rlhf.Web.Tests.Api;

/// <summary>The Users page's rules over the API: roles, locking, the last admin, bad input and unknown ids.</summary>
public class AdminUserApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static async Task<string> CreateAsync(HttpClient admin, string email, string role, string? password = "Some-Password-1")
    {
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { email, roles = new[] { role }, password });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, body.GetProperty("generatedPassword").ValueKind);
        return body.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Roles_and_locks_change_over_the_API_with_the_pages_rules()
    {
        var admin = await ApiSession.AdminAsync(factory);
        var id = await CreateAsync(admin, "someone@example.test", "Rater");
        var someone = await ApiSession.SignInAsync(factory, "someone@example.test", "Some-Password-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await someone.GetAsync("/api/v1/projects")).StatusCode);

        var changed = await admin.PutAsJsonAsync($"/api/v1/users/{id}/roles", new { roles = new[] { "researcher", "Rater" } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(["Rater", "Researcher"], (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await someone.GetAsync("/api/v1/projects")).StatusCode); // the token follows the new roles at once

        var locked = await admin.PostAsync($"/api/v1/users/{id}/lock", null);
        Assert.True((await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lockedOut").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await someone.GetAsync("/api/v1/projects")).StatusCode);
        var unlocked = await admin.PostAsync($"/api/v1/users/{id}/unlock", null);
        Assert.False((await unlocked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("lockedOut").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await someone.GetAsync("/api/v1/projects")).StatusCode);

        // The only admin can neither lose the role nor be locked, and nobody locks themselves.
        var adminId = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users")).EnumerateArray()
            .Single(u => u.GetProperty("email").GetString() == RlhfWebFactory.AdminEmail).GetProperty("id").GetString();
        Assert.Contains("last admin", await ApiSession.ProblemAsync(
            await admin.PutAsJsonAsync($"/api/v1/users/{adminId}/roles", new { roles = new[] { "Researcher" } }), HttpStatusCode.BadRequest));
        Assert.Contains("your own account", await ApiSession.ProblemAsync(await admin.PostAsync($"/api/v1/users/{adminId}/lock", null), HttpStatusCode.BadRequest));
        var second = await CreateAsync(admin, "second-admin@example.test", "Admin");
        var secondAdmin = await ApiSession.SignInAsync(factory, "second-admin@example.test", "Some-Password-1");
        Assert.Equal(HttpStatusCode.OK, (await secondAdmin.PostAsync($"/api/v1/users/{adminId}/lock", null)).StatusCode);
        Assert.Contains("last admin", await ApiSession.ProblemAsync(await secondAdmin.PutAsJsonAsync($"/api/v1/users/{second}/roles", new { roles = Array.Empty<string>() }), HttpStatusCode.BadRequest));

        var audit = await secondAdmin.GetFromJsonAsync<JsonElement>("/api/v1/audit?filter=user.");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actorName").GetString())).ToList();
        Assert.Contains(("user.roles-changed", $"{RlhfWebFactory.AdminEmail} (API)"), actions);
        Assert.Contains(("user.locked", $"{RlhfWebFactory.AdminEmail} (API)"), actions);
        Assert.Contains(("user.unlocked", $"{RlhfWebFactory.AdminEmail} (API)"), actions);
        Assert.Contains(("user.locked", "second-admin@example.test (API)"), actions);
    }

    [Fact]
    public async Task Bad_input_is_a_400_with_the_reason_and_unknown_users_are_404()
    {
        var admin = await ApiSession.AdminAsync(factory);
        Assert.Contains("not an e-mail address", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/users", new { email = "nobody", roles = new[] { "Rater" } }), HttpStatusCode.BadRequest));
        Assert.Contains("not a role", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/users", new { email = "a@example.test", roles = new[] { "Boss" } }), HttpStatusCode.BadRequest));
        Assert.Contains("at least one role", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/users", new { email = "a@example.test" }), HttpStatusCode.BadRequest));
        Assert.Contains("already exists", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/users", new { email = RlhfWebFactory.AdminEmail, roles = new[] { "Rater" } }), HttpStatusCode.BadRequest));
        Assert.Contains("Password", await ApiSession.ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/users", new { email = "weak@example.test", roles = new[] { "Rater" }, password = "x" }), HttpStatusCode.BadRequest));
        await ApiSession.ProblemAsync(await admin.PostAsync("/api/v1/users", new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        var id = await CreateAsync(admin, "a@example.test", "Rater");
        Assert.Contains("not a role", await ApiSession.ProblemAsync(
            await admin.PutAsJsonAsync($"/api/v1/users/{id}/roles", new { roles = new[] { "Boss" } }), HttpStatusCode.BadRequest));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/users/no-such-id")).StatusCode);
        Assert.Contains("no user", await ApiSession.ProblemAsync(
            await admin.PutAsJsonAsync("/api/v1/users/no-such-id/roles", new { roles = new[] { "Rater" } }), HttpStatusCode.NotFound));
        await ApiSession.ProblemAsync(await admin.PostAsync("/api/v1/users/no-such-id/lock", null), HttpStatusCode.NotFound);
        await ApiSession.ProblemAsync(await admin.PostAsync("/api/v1/users/no-such-id/unlock", null), HttpStatusCode.NotFound);

        // Nothing refused was made or audited.
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users")).GetArrayLength());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?filter=user.created")).GetProperty("total").GetInt32());
    }
}
