using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

/// <summary>
/// A project belongs to its creator and the researchers they add: to a second researcher it does not exist (404) in
/// every project, data, job and run endpoint until the owner adds them; admins see all. Jobs stay queued here (no runner).
/// </summary>
public class ProjectMembershipApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new(new() { ["Jobs:RunInSite"] = "false" });
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<(string UserId, HttpClient Client)> ResearcherAsync(string email)
    {
        _ = factory.Client();
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync(email, ["Researcher"], "Some-Password-1", null);
        Assert.True(user.Succeeded, user.Error);
        var token = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.UserId!, "t", 1)).Secret!;
        return (user.UserId!, ApiSession.WithToken(factory, token));
    }

    [Fact]
    public async Task A_second_researcher_gets_404_on_another_researchers_project_until_the_owner_adds_them()
    {
        var (_, owner) = await ResearcherAsync("owner@example.test");
        var (otherId, other) = await ResearcherAsync("other@example.test");
        var admin = await ApiSession.AdminAsync(factory);

        var created = await owner.PostAsJsonAsync("/api/v1/projects", new { name = "owned" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var upload = await owner.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl",
            new StringContent("""{"prompt": "Hello?", "responses": ["Hi!", "Go away."]}""", Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var job = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();

        // Every read and change of the project, its data and its job: 404 for the other researcher, nothing changed.
        foreach (var path in new[] { "", "/comparisons", "/statistics", "/members", "/exports/preferences", "/exports/votes", "/exports/skips" })
            Assert.Contains($"project {project}", await ApiSession.ProblemAsync(await other.GetAsync($"/api/v1/projects/{project}{path}"), HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsJsonAsync($"/api/v1/projects/{project}", new { name = "taken over" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl",
            new StringContent("""{"prompt": "Mine now"}""", Encoding.UTF8, "application/x-ndjson"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/jobs/{job}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await other.PostAsync($"/api/v1/jobs/{job}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/v1/projects/{project}/members", new { email = "other@example.test" })).StatusCode);
        Assert.DoesNotContain(await other.GetFromJsonAsync<JsonElement[]>("/api/v1/projects") ?? [], p => p.GetProperty("id").GetInt32() == project);

        Assert.Equal("owned", (await owner.GetFromJsonAsync<JsonElement>($"/api/v1/projects/{project}")).GetProperty("name").GetString());
        Assert.Equal("Queued", (await owner.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{job}")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/projects/{project}")).StatusCode);

        // The owner adds the other researcher: now they work on it, but only the owner (or an admin) manages members.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PostAsJsonAsync($"/api/v1/projects/{project}/members", new { email = "other@example.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/api/v1/projects/{project}/comparisons")).StatusCode);
        var members = await other.GetFromJsonAsync<JsonElement[]>($"/api/v1/projects/{project}/members");
        Assert.Equal(["owner@example.test", "other@example.test"], members!.Select(m => m.GetProperty("email").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync($"/api/v1/projects/{project}/members/{otherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostAsync($"/api/v1/jobs/{job}/cancel", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/projects/{project}/members/{otherId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/projects/{project}")).StatusCode);
    }
}
