using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rlhf.Core.Projects;

namespace Rlhf.Web.Tests.Api;

/// <summary>Request bodies are read strictly: a missing, mistyped or out-of-set field is a 400 naming it, and nothing is stored.</summary>
public class StrictInputTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>A 400 problem whose errors name exactly the field; its detail.</summary>
    private static async Task<string> RefusedAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Contains($"'{field}'", detail);
        return detail;
    }

    [Fact]
    public async Task A_vote_without_a_choice_or_with_a_choice_in_quotes_is_refused_and_not_stored_as_a_tie()
    {
        var (rater, token) = await ApiScene.UserWithTokenAsync(factory, "rater@example.test", "Rater");
        await ApiScene.ProjectForRatersAsync(factory, rater);
        var api = ApiScene.Api(factory, token);
        var assignment = (await api.GetFromJsonAsync<JsonElement>("/api/v1/assignments/next")).GetProperty("assignmentId").GetInt64();

        Assert.Contains("required", await RefusedAsync(await api.PostAsync($"/api/v1/assignments/{assignment}/vote", Json("{}")), "choice"));
        Assert.Contains("whole number", await RefusedAsync(await api.PostAsync($"/api/v1/assignments/{assignment}/vote", Json("{\"choice\":\"1\"}")), "choice"));
        Assert.Contains("true or false", await RefusedAsync(await api.PostAsync($"/api/v1/assignments/{assignment}/vote", Json("{\"choice\":1,\"bothBad\":\"yes\"}")), "bothBad"));
        Assert.Contains("spelling", await RefusedAsync(await api.PostAsync($"/api/v1/assignments/{assignment}/vote", Json("{\"choise\":1}")), "choise"));
        Assert.Contains("required", await RefusedAsync(await api.PostAsync($"/api/v1/assignments/{assignment}/skip", Json("{}")), "reason"));
        await using (var db = await ApiScene.DbAsync(factory))
            Assert.Equal(0, await db.Votes.CountAsync());

        // The same assignment still takes a proper vote.
        var stored = await api.PostAsync($"/api/v1/assignments/{assignment}/vote", Json("{\"choice\":1}"));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        await using (var db = await ApiScene.DbAsync(factory))
            Assert.Equal(1, Math.Abs((await db.Votes.SingleAsync()).Strength));
    }

    [Theory]
    [InlineData("NaN", "goldRate")]
    [InlineData("\"NaN\"", "goldRate")]
    [InlineData("\"Infinity\"", "goldRate")]
    [InlineData("\"0.1\"", "goldRate")]
    public async Task A_project_with_a_number_that_is_not_a_finite_json_number_is_refused_naming_the_field(string value, string field)
    {
        var admin = await ApiSession.AdminAsync(factory);
        var response = await admin.PostAsync("/api/v1/projects", Json($"{{\"name\":\"P\",\"{field}\":{value}}}"));
        await RefusedAsync(response, field);
        await using var db = await ApiScene.DbAsync(factory);
        Assert.Equal(0, await db.Projects.CountAsync());
    }

    [Fact]
    public async Task A_number_too_large_for_a_double_is_refused_by_the_project_rules_and_nothing_is_stored()
    {
        var admin = await ApiSession.AdminAsync(factory);
        var response = await admin.PostAsync("/api/v1/projects", Json("{\"name\":\"P\",\"goldRate\":1e400}"));
        Assert.Contains("Gold rate: a finite number.", await ApiSession.ProblemAsync(response, HttpStatusCode.BadRequest));
        await using var db = await ApiScene.DbAsync(factory);
        Assert.Equal(0, await db.Projects.CountAsync());
    }

    [Fact]
    public async Task A_status_outside_the_set_is_refused_and_the_stored_project_keeps_its_status()
    {
        var admin = await ApiSession.AdminAsync(factory);
        var created = await admin.PostAsync("/api/v1/projects", Json("{\"name\":\"P\",\"status\":\"Active\"}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        foreach (var status in new[] { "99", "1", "\"Sleeping\"", "\"99\"" })
        {
            var detail = await RefusedAsync(await admin.PutAsync($"/api/v1/projects/{id}", Json($"{{\"name\":\"P\",\"status\":{status}}}")), "status");
            Assert.Contains("\"Paused\"", detail);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"/api/v1/projects/{id}", Json("{\"name\":\"P\",\"status\":\"paused\"}"))).StatusCode);
        await using var db = await ApiScene.DbAsync(factory);
        Assert.Equal(ProjectStatus.Paused, (await db.Projects.SingleAsync()).Status);
    }

    [Fact]
    public async Task A_null_where_the_field_has_no_null_and_a_bad_query_value_are_refused_naming_them()
    {
        var admin = await ApiSession.AdminAsync(factory);
        await RefusedAsync(await admin.PostAsync("/api/v1/projects", Json("{\"name\":\"P\",\"guidelines\":null}")), "guidelines");
        var badQuery = await admin.GetAsync("/api/v1/projects/1/comparisons?take=ten");
        Assert.Contains("take", await ApiSession.ProblemAsync(badQuery, HttpStatusCode.BadRequest));
        var notJson = await admin.PostAsync("/api/v1/projects", Json("{\"name\":"));
        Assert.Contains("not valid JSON", await ApiSession.ProblemAsync(notJson, HttpStatusCode.BadRequest));
    }

    [Fact]
    public void The_project_rules_refuse_numbers_that_are_not_finite_and_statuses_outside_the_set()
    {
        // The same rules hold for the form and the CLI, which do not go through JSON.
        var edit = new Rlhf.Data.Projects.ProjectEdit { Name = "P", GoldRate = double.NaN, AdaptiveThreshold = double.PositiveInfinity, Status = (ProjectStatus)99 };
        var errors = edit.Validate();
        Assert.Contains("Gold rate: a finite number.", errors);
        Assert.Contains("Adaptive overlap threshold: a finite number.", errors);
        Assert.Contains(errors, e => e.StartsWith("Status: one of Draft"));
    }
}
