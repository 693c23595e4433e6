using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Jobs;
using Rlhf.Jobs.Runs;
using Rlhf.Jobs.Training;
using Rlhf.Training.Ppo;

namespace Rlhf.Jobs.Tests.Runs;

/// <summary>Runs read from the job store as summaries: old payloads too, only runs, the latest key metrics.</summary>
public class RunCatalogTests
{
    [Fact]
    public async Task Runs_of_every_kind_are_summarised_newest_first_with_their_latest_key_metrics()
    {
        await using var h = await JobsHarness.CreateAsync();
        // A payload as stored before settings were versioned.
        var reward = await h.Queue.EnqueueAsync(RewardRunJobHandler.JobKind, new { name = "old-rm", baseModelId = 1, dataFile = "x.jsonl" }, null);
        await h.Queue.EnqueueAsync("generation", new { projectId = 1 }, null);
        var ppo = await h.Queue.EnqueueAsync(PpoRunJobHandler.JobKind, new PpoRunRequest { Name = "p", PolicyModelId = 1, RewardModelId = 2, ProjectId = 3,
            Config = new PpoConfig { Steps = 9 } }, null);
        await h.Queue.AddMetricsAsync(ppo.Id, 1, new Dictionary<string, double> { ["objective/scores"] = 0.1, ["objective/kl"] = 0.0, ["lr"] = 1 });
        await h.Queue.AddMetricsAsync(ppo.Id, 2, new Dictionary<string, double> { ["objective/scores"] = 0.4 });

        var runs = await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().ListAsync(null));
        Assert.Equal([ppo.Id, reward.Id], runs.Select(r => r.Id));
        var p = runs[0];
        Assert.Equal((RunKind.Ppo, "p", JobStatus.Queued), (p.Kind, p.Name, p.Status));
        Assert.Equal(new Dictionary<string, double> { ["objective/scores"] = 0.4, ["objective/kl"] = 0.0 }, p.KeyMetrics);
        Assert.Contains(new KeyValuePair<string, string>("updates", "9"), p.KeySettings);
        Assert.Equal((RunKind.Reward, "old-rm", 1), (runs[1].Kind, runs[1].Name, runs[1].Settings!.Version));
        Assert.Empty(runs[1].KeyMetrics);
        Assert.Contains("\"old-rm\"", runs[1].SettingsJson);
    }

    [Fact]
    public async Task A_job_that_is_not_a_run_is_no_run_and_an_unreadable_payload_still_lists()
    {
        await using var h = await JobsHarness.CreateAsync();
        var generation = await h.Queue.EnqueueAsync("generation", new { projectId = 1 }, null);
        var broken = await h.Queue.EnqueueAsync(PpoRunJobHandler.JobKind, new { name = 5 }, null);
        Assert.Null(await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(generation.Id)));
        Assert.Null(await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(12345)));
        var run = (await h.InScopeAsync(sp => sp.GetRequiredService<RunCatalog>().GetAsync(broken.Id)))!;
        Assert.Equal((RunKind.Ppo, "", (IRunSettings?)null), (run.Kind, run.Name, run.Settings));
    }
}
