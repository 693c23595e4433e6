using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Registry;
using Rlhf.Data.Hosting;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;
using Rlhf.Demo.Simulation;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Seeding;
using Rlhf.Jobs.Training;
using Rlhf.Training.Reward;
using static Rlhf.Browser.Tests.BrowserPages;

namespace Rlhf.Browser.Tests;

/// <summary>
/// Issue 14's "done when", on the same site as the DPO form test: the built-in demo project (the shipped campaign a fresh
/// clone's site seeds) gets its votes, then a DPO run and a GRPO run are launched from their forms with tiny settings,
/// each is rated against its reference with one click, a few votes are cast on those rating projects, and both new
/// policies stand on the leaderboard beside the demo policy.
/// </summary>
public partial class DpoRunPageTests
{
    private const string FreshDpo = "fresh-clone-dpo", FreshGrpo = "fresh-clone-grpo", DemoRm = "fresh-clone-rm";
    private long firstJob;

    [Fact]
    public async Task From_the_demo_projects_votes_a_DPO_and_a_GRPO_run_from_their_forms_are_rated_and_reach_the_leaderboard()
    {
        await using var data = new SiteData(site);
        // The site is shared with other tests: wait for (and judge) only the jobs this test starts.
        await using (var db = await data.DbAsync()) firstJob = (await db.Jobs.MaxAsync(j => (long?)j.Id) ?? 0) + 1;
        var rater = await SeedAndVoteOnTheDemoProjectAsync(data);

        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);

        // DPO from the demo project's votes.
        await page.GotoAsync("/runs/new-dpo");
        await WaitInteractiveAsync(page);
        await page.FillAsync("#dpo-name", FreshDpo);
        await ChooseAsync(page, "#dpo-policy", ModelRegistry.ShippedDemoName);
        await ChooseAsync(page, "#dpo-source", "A project's votes");
        await ChooseAsync(page, "#dpo-project", "Demo: customer-support replies");
        await FillNumberAsync(page, "#dpo-lr", 1e-4);
        await FillNumberAsync(page, "#dpo-max-length", 96);
        await page.ClickAsync("#start-dpo-run");
        var dpoJob = await RunIdAsync(page);

        // GRPO against a reward model of the same votes, on the same project's prompts.
        await page.GotoAsync("/runs/new-grpo");
        await WaitInteractiveAsync(page);
        await page.FillAsync("#grpo-name", FreshGrpo);
        await ChooseAsync(page, "#grpo-policy", ModelRegistry.ShippedDemoName);
        await ChooseAsync(page, "#grpo-reward", DemoRm);
        await ChooseAsync(page, "#grpo-project", "Demo: customer-support replies");
        await FillNumberAsync(page, "#grpo-steps", 2);
        await FillNumberAsync(page, "#grpo-batch", 2);
        await FillNumberAsync(page, "#grpo-group", 2);
        await FillNumberAsync(page, "#grpo-completion-length", 8);
        await FillNumberAsync(page, "#grpo-sample-every", 1);
        await page.ClickAsync("#start-grpo");
        var grpoJob = await RunIdAsync(page);

        // Each run, once finished, goes back to the raters against its reference in one click.
        var ratingProjects = new List<int>();
        foreach (var job in new[] { dpoJob, grpoJob })
        {
            await page.GotoAsync($"/runs/{job}");
            await WaitInteractiveAsync(page);
            await WaitForJobsAsync(data, j => j.Id == job);     // ends at once, with the job's error, if it fails
            await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = PatienceMs });
            await page.ClickAsync("#rate-against-reference");
            await page.ClickAsync("#rate-start");
            await page.WaitForURLAsync(new Regex(@"/projects/\d+$"), new() { Timeout = PatienceMs });
            ratingProjects.Add(int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture));
        }
        await using (var db = await data.DbAsync())
            Assert.Equal([$"{FreshDpo} vs {ModelRegistry.ShippedDemoName}", $"{FreshGrpo} vs {ModelRegistry.ShippedDemoName}"],
                await db.Projects.Where(p => ratingProjects.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Name).ToListAsync());
        await WaitForGenerationsAsync(data);

        // A few votes through the rating service (the demo raters' pool rates the new projects), then the leaderboard.
        var votes = await VoteAsync(data, rater, ratingProjects);
        Assert.True(votes >= 4, $"only {votes} votes on the rating projects");
        await page.GotoAsync("/models");
        await WaitInteractiveAsync(page);
        var leaderboard = await page.InnerTextAsync("#leaderboard");
        foreach (var model in new[] { FreshDpo, FreshGrpo, ModelRegistry.ShippedDemoName }) Assert.Contains(model, leaderboard);
    }

    private static async Task<long> RunIdAsync(IPage page)
    {
        await page.WaitForURLAsync(new Regex(@"/runs/\d+$"), new() { Timeout = PatienceMs });
        return long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The shipped campaign as a fresh clone's site seeds it (its generation run by the site's runner), a rater of its
    /// pool voting on every comparison as the demo judge prefers, and a reward model trained on those votes for GRPO.
    /// </summary>
    private async Task<string> SeedAndVoteOnTheDemoProjectAsync(SiteData data)
    {
        await using var scope = data.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var campaign = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Demo:Campaign"] = Path.Combine(ContentRootLocator.FindRepositoryRoot(AppContext.BaseDirectory)!, ShippedCampaignSeeder.DefaultFile),
        }).Build();
        var projectId = await ActivatorUtilities.CreateInstance<ShippedCampaignSeeder>(services, (IConfiguration)campaign).EnsureAsync();
        Assert.NotNull(projectId);
        await WaitForGenerationsAsync(data);

        var rater = (await services.GetRequiredService<UserDirectory>().CreateAsync("demo-rater@example.test", ["Rater"], "Rater-Password-1", null)).UserId!;
        await using (var db = await data.DbAsync())
        {
            var poolId = await db.ProjectPools.Where(p => p.ProjectId == projectId).Select(p => p.PoolId).SingleAsync();
            db.PoolMembers.Add(new PoolMember { PoolId = poolId, UserId = rater, AddedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var votes = await VoteAsync(data, rater, [projectId!.Value]);
        Assert.True(votes >= 40, $"only {votes} comparisons in the demo project");

        var (rewardJob, errors) = await services.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
        {
            Name = DemoRm, BaseModelId = await ModelIdAsync(data, ModelRegistry.ShippedDemoName), ProjectId = projectId.Value,
            Config = new RewardTrainingConfig { Epochs = 1, BatchPairs = 16, MaxLength = 96, EvalEvery = 10 },
        }, null);
        Assert.True(rewardJob is not null, string.Join(" ", errors));
        await WaitForJobsAsync(data, j => j.Id == rewardJob!.Value);
        return rater;
    }

    /// <summary>The rater takes every assignment of <paramref name="projects"/> and votes for the reply the demo judge scores higher (never a tie).</summary>
    private static async Task<int> VoteAsync(SiteData data, string rater, IReadOnlyCollection<int> projects)
    {
        var rating = data.Services.GetRequiredService<RatingService>();
        var votes = 0;
        while (await rating.NextAsync(rater) is { } task && projects.Contains(task.ProjectId))
        {
            var choice = DemoJudge.Score(task.Prompt, task.Left) >= DemoJudge.Score(task.Prompt, task.Right) ? -1 : 1;
            Assert.True((await rating.SubmitAsync(rater, task.AssignmentId, choice, false, null)).Succeeded);
            votes++;
        }
        return votes;
    }

    private static async Task<int> ModelIdAsync(SiteData data, string name)
    {
        await using var db = await data.DbAsync();
        return (await db.Models.AsNoTracking().SingleAsync(m => m.Name == name)).Id;
    }

    private Task WaitForGenerationsAsync(SiteData data) =>
        WaitForJobsAsync(data, j => j.Id >= firstJob && j.Kind == Rlhf.Jobs.Generation.GenerationJobHandler.JobKind);

    /// <summary>Waits until no job matching <paramref name="which"/> is queued or running, and asserts they all succeeded.</summary>
    private static async Task WaitForJobsAsync(SiteData data, System.Linq.Expressions.Expression<Func<Job, bool>> which)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            await using var db = await data.DbAsync();
            var jobs = await db.Jobs.AsNoTracking().Where(which).ToListAsync();
            if (jobs.All(j => j.Status is not (JobStatus.Queued or JobStatus.Running)))
            {
                Assert.All(jobs, j => Assert.True(j.Status == JobStatus.Succeeded, $"job {j.Id} ({j.Kind}) ended {j.Status}: {j.Error}"));
                return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("gave up waiting for the jobs");
            await Task.Delay(500);
        }
    }
}
