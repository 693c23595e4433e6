using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Data;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

public class ApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private Task<(string UserId, string Token)> UserWithTokenAsync(string email, string role, int days = 30) =>
        ApiScene.UserWithTokenAsync(factory, email, role, days);

    private HttpClient Api(string? token) => ApiScene.Api(factory, token);

    private Task<int> ProjectForRatersAsync(params string[] raterIds) => ApiScene.ProjectForRatersAsync(factory, raterIds);

    private async Task<int> VoteCountAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        return await db.Votes.CountAsync();
    }

    [Fact]
    public async Task Calls_without_a_valid_token_are_refused_with_problem_details()
    {
        var (userId, token) = await UserWithTokenAsync("res@example.test", "Researcher");

        var none = await Api(null).GetAsync("/api/v1/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Api("rlhf_not-a-real-token").GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api(token).GetAsync("/api/v1/projects")).StatusCode);

        // Revoked.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<ApiTokenService>();
            var id = (await tokens.ListAsync(userId)).Single().Id;
            Assert.Null(await tokens.RevokeAsync(userId, id));
        }
        var revoked = await Api(token).GetAsync("/api/v1/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("expired or revoked", await revoked.Content.ReadAsStringAsync());

        // Expired.
        var (_, expiring) = await UserWithTokenAsync("res2@example.test", "Researcher");
        await using (var scope = factory.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync())
            await db.ApiTokens.Where(t => t.TokenHash == ApiTokenService.Hash(expiring)).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api(expiring).GetAsync("/api/v1/projects")).StatusCode);

        // A session cookie is not an API credential (no CSRF through the API).
        var browser = factory.Client();
        await AccountForms.LoginAsync(browser, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/projects")).StatusCode);
    }

    [Fact]
    public async Task Each_role_reaches_only_its_endpoints()
    {
        var (_, rater) = await UserWithTokenAsync("rater@example.test", "Rater");
        var (_, researcher) = await UserWithTokenAsync("res@example.test", "Researcher");
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(rater).GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(rater).GetAsync("/api/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api(researcher).GetAsync("/api/v1/assignments/next")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Api(rater).GetAsync("/api/v1/assignments/next")).StatusCode);
    }

    [Fact]
    public async Task A_rater_rates_over_the_API_and_cannot_touch_another_raters_assignment()
    {
        var (r1, t1) = await UserWithTokenAsync("one@example.test", "Rater");
        var (r2, t2) = await UserWithTokenAsync("two@example.test", "Rater");
        await ProjectForRatersAsync(r1, r2);

        var next = await Api(t1).GetFromJsonAsync<JsonElement>("/api/v1/assignments/next");
        var assignment = next.GetProperty("assignmentId").GetInt64();
        Assert.Equal("Hello?", next.GetProperty("prompt").GetString());
        Assert.False(next.TryGetProperty("source", out _)); // sources are never sent to raters

        var stolen = await Api(t2).PostAsJsonAsync($"/api/v1/assignments/{assignment}/vote", new { choice = 2 });
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api(t2).PostAsJsonAsync($"/api/v1/assignments/{assignment}/skip", new { reason = "x" })).StatusCode);
        Assert.Equal(0, await VoteCountAsync());

        var bad = await Api(t1).PostAsJsonAsync($"/api/v1/assignments/{assignment}/vote", new { choice = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(0, await VoteCountAsync());

        var first = await (await Api(t1).PostAsJsonAsync($"/api/v1/assignments/{assignment}/vote", new { choice = -1, rationale = "friendlier" })).Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await Api(t1).PostAsJsonAsync($"/api/v1/assignments/{assignment}/vote", new { choice = 2 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Stored", first.GetProperty("outcome").GetString());
        Assert.Equal("AlreadyStored", again.GetProperty("outcome").GetString());
        Assert.Equal(first.GetProperty("voteId").GetInt64(), again.GetProperty("voteId").GetInt64());
        Assert.Equal(1, await VoteCountAsync());
        // Voted, so it can no longer be skipped: the assignment has ended.
        Assert.Equal(HttpStatusCode.Conflict, (await Api(t1).PostAsJsonAsync($"/api/v1/assignments/{assignment}/skip", new { reason = "x" })).StatusCode);

        // The vote history: the rater's own votes only; another rater can neither change nor undo theirs.
        var voteId = first.GetProperty("voteId").GetInt64();
        var mine = await Api(t1).GetFromJsonAsync<JsonElement>("/api/v1/votes/mine");
        Assert.Equal((voteId, -1, "friendlier"), (mine[0].GetProperty("voteId").GetInt64(), mine[0].GetProperty("screenChoice").GetInt32(), mine[0].GetProperty("rationale").GetString()));
        Assert.Equal(0, (await Api(t2).GetFromJsonAsync<JsonElement>("/api/v1/votes/mine")).GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await Api(t2).PutAsJsonAsync($"/api/v1/votes/mine/{voteId}", new { choice = 2 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api(t2).PostAsync($"/api/v1/votes/mine/{voteId}/undo", null)).StatusCode);
        var changed = await Api(t1).PutAsJsonAsync($"/api/v1/votes/mine/{voteId}", new { choice = 2, rationale = "on reflection" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(2, (await Api(t1).GetFromJsonAsync<JsonElement>("/api/v1/votes/mine"))[0].GetProperty("screenChoice").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await Api(t1).PostAsync($"/api/v1/votes/mine/{voteId}/undo", null)).StatusCode);
        Assert.Equal(1, await VoteCountAsync()); // the undone vote is kept (voided), out of the history
        Assert.Equal(0, (await Api(t1).GetFromJsonAsync<JsonElement>("/api/v1/votes/mine")).GetArrayLength());
        Assert.Equal(HttpStatusCode.Conflict, (await Api(t1).PostAsync($"/api/v1/votes/mine/{voteId}/undo", null)).StatusCode);
    }

    [Fact]
    public async Task Researchers_create_projects_and_bad_input_is_a_problem_naming_the_field()
    {
        var (_, token) = await UserWithTokenAsync("res@example.test", "Researcher");
        var created = await Api(token).PostAsJsonAsync("/api/v1/projects", new { name = "From the API", overlap = 4 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var read = await Api(token).GetFromJsonAsync<JsonElement>($"/api/v1/projects/{id}");
        Assert.Equal(4, read.GetProperty("overlap").GetInt32());

        var bad = await Api(token).PostAsJsonAsync("/api/v1/projects", new { name = "", overlap = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Name:", problem.GetProperty("detail").GetString());
        Assert.Contains("Overlap k", problem.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await Api(token).GetAsync("/api/v1/projects/999")).StatusCode);
        var stats = await Api(token).GetFromJsonAsync<JsonElement>($"/api/v1/projects/{id}/statistics");
        Assert.Equal(0, stats.GetProperty("votes").GetInt32());
    }

    [Fact]
    public async Task The_OpenAPI_document_and_its_reference_page_are_served()
    {
        var client = factory.Client();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/assignments/next", out _));
        Assert.True(paths.TryGetProperty("/api/v1/projects", out _));
        Assert.True(paths.TryGetProperty("/api/v1/pools/{id}/invitations", out _));
        Assert.True(paths.TryGetProperty("/api/v1/users/{id}/roles", out _));
        // The token is a declared bearer scheme every call requires (the docs page's Authorize button); the site's own
        // /Account endpoints are not part of the API.
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiToken").GetProperty("scheme").GetString());
        Assert.True(doc.GetProperty("security")[0].TryGetProperty("ApiToken", out _));
        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.StartsWith("/Account", StringComparison.OrdinalIgnoreCase));
        var page = await client.GetAsync("/api/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
