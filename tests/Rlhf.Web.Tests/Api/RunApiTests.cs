using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Web.Tests.Api;

/// <summary>Runs over the API as the Runs page shows them: kind, name, settings; a job that is not a run is a 404.</summary>
public class RunApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Runs_are_listed_with_their_kind_name_and_settings()
    {
        var admin = await ApiSession.AdminAsync(factory);
        long runId, otherId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            // A payload as stored before settings were versioned; its base model does not exist, so a runner fails it.
            runId = (await queue.EnqueueAsync(RewardRunJobHandler.JobKind, new { name = "api-rm", baseModelId = 999, dataFile = "x.jsonl" }, null)).Id;
            otherId = (await queue.EnqueueAsync("probe-not-a-run", new { }, null)).Id;
        }

        var runs = await admin.GetFromJsonAsync<JsonElement>("/api/v1/runs");
        var run = runs.EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == runId);
        Assert.Equal(("reward", "api-rm"), (run.GetProperty("kind").GetString(), run.GetProperty("name").GetString()));
        Assert.Equal(1, run.GetProperty("settings").GetProperty("version").GetInt32());
        Assert.Equal(999, run.GetProperty("settings").GetProperty("baseModelId").GetInt32());
        Assert.DoesNotContain(runs.EnumerateArray(), r => r.GetProperty("id").GetInt64() == otherId);

        var one = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
        Assert.Equal("api-rm", one.GetProperty("name").GetString());
        Assert.Contains("no run", await ApiSession.ProblemAsync(await admin.GetAsync($"/api/v1/runs/{otherId}"), HttpStatusCode.NotFound));
    }
}
