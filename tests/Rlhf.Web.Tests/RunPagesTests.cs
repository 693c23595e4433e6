using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Web.Tests;

/// <summary>The run pages read runs as summaries: name, kind and latest key metrics, from payloads of any settings version.</summary>
public class RunPagesTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task The_runs_page_and_a_run_page_show_a_run_stored_before_settings_were_versioned()
    {
        long id;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            id = (await queue.EnqueueAsync(PpoRunJobHandler.JobKind, new { name = "page-ppo", policyModelId = 999, rewardModelId = 998, projectId = 1,
                config = new { steps = 7 } }, null)).Id;
            await queue.AddMetricsAsync(id, 1, new Dictionary<string, double> { ["objective/scores"] = 0.25, ["objective/kl"] = 0.5 });
        }
        var client = factory.Client();
        await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword);

        var list = await client.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var html = await list.Content.ReadAsStringAsync();
        Assert.Contains("page-ppo", html);
        Assert.Contains("objective/scores 0.25", html);

        var detail = await (await client.GetAsync($"/runs/{id}")).Content.ReadAsStringAsync();
        Assert.Contains($"Run {id}: page-ppo", detail);
        Assert.Contains("&quot;steps&quot;: 7", detail);
    }
}
