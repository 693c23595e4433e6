using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Exchange;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

/// <summary>Data in and out over the REST API: import as a job, then TRL export; bad files fail with line and field.</summary>
public class ExchangeApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<HttpClient> ResearcherAsync()
    {
        _ = factory.Client();
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("res@example.test", ["Researcher"], "Some-Password-1", null);
        var token = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.UserId!, "t", 1)).Secret!;
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task TRL_preferences_go_in_as_a_job_and_come_out_as_the_same_pairs()
    {
        var client = await ResearcherAsync();
        var created = await client.PostAsJsonAsync("/api/v1/projects", new { name = "imported prefs" });
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var lines = new[]
        {
            """{"prompt": "Where is my order?", "chosen": "It ships today, here is the tracking link.", "rejected": "Dunno."}""",
            """{"prompt": "Can I get a refund?", "chosen": "Yes: I have refunded you; it shows in 3 days.", "rejected": "No refunds ever."}""",
        };
        var upload = await client.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl",
            new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var jobId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        var job = await ApiSession.WaitForJobAsync(client, jobId);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());

        var export = await client.GetAsync($"/api/v1/projects/{project}/exports/preferences");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.GetProperty("prompt").GetString() == "Where is my order?"
            && r.GetProperty("chosen").GetString() == "It ships today, here is the tracking link."
            && r.GetProperty("rejected").GetString() == "Dunno.");
        var again = await client.GetByteArrayAsync($"/api/v1/projects/{project}/exports/preferences");
        Assert.Equal(await export.Content.ReadAsByteArrayAsync(), again);

        var votes = await client.GetStringAsync($"/api/v1/projects/{project}/exports/votes?format=csv");
        Assert.Equal(3, votes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 2 votes
        var skips = await client.GetStringAsync($"/api/v1/projects/{project}/exports/skips?format=csv");
        Assert.Equal(string.Join(",", ExportService.SkipColumns), skips.TrimEnd());   // the header: nothing was skipped
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/projects/{project}/exports/skips?format=xml")).StatusCode);
    }

    [Fact]
    public async Task A_bad_file_fails_its_job_naming_the_line_and_field_and_imports_nothing()
    {
        var client = await ResearcherAsync();
        var created = await client.PostAsJsonAsync("/api/v1/projects", new { name = "bad import" });
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var body = "{\"prompt\": \"fine\"}\n{\"prompt\": 42}\n";
        var upload = await client.PostAsync($"/api/v1/projects/{project}/imports?format=jsonl", new StringContent(body, Encoding.UTF8));
        var job = await ApiSession.WaitForJobAsync(client, (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64());
        Assert.Equal("Failed", job.GetProperty("status").GetString());
        var error = job.GetProperty("error").GetString();
        Assert.Contains("line 2", error);
        Assert.Contains("prompt", error);
        var projects = await client.GetFromJsonAsync<JsonElement>("/api/v1/projects");
        Assert.Equal(0, projects.EnumerateArray().Single(p => p.GetProperty("id").GetInt32() == project).GetProperty("prompts").GetInt32());

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/v1/projects/{project}/imports?format=xml", new StringContent("x"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/projects/999/imports?format=jsonl", new StringContent(body, Encoding.UTF8))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/projects/999/exports/preferences")).StatusCode);
    }

    [Fact]
    public async Task The_site_download_links_need_a_researcher_session()
    {
        var anonymous = await factory.Client().GetAsync("/data/projects/1/exports/votes");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString());
    }
}
