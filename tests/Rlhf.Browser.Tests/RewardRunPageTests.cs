using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Training;
using Rlhf.Training.Reward;

namespace Rlhf.Browser.Tests;

/// <summary>A reward run trained by the site's own job runner, watched in the browser: curves appear and it ends registered.</summary>
public class RewardRunPageTests(SiteProcess site) : IClassFixture<SiteProcess>
{
    [Fact]
    public async Task A_researcher_watches_a_reward_run_learn_live()
    {
        await using var data = new SiteData(site);
        long jobId;
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var imported = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ImportAsync(
                Path.Combine(AppContext.BaseDirectory, "Fixtures", "gpt2-tiny-lm"), "tiny-base", ModelKind.Base, null, "import", null, "", null);
            Assert.True(imported.Succeeded, imported.Error);
            var file = Path.Combine(site.Folder, "prefs.jsonl");
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, 400).Select(i =>
                JsonSerializer.Serialize(new { prompt = $"Question {i % 23}?", chosen = $"Thanks! Answer {i}.", rejected = $"No. {i}" })));
            var (id, errors) = await scope.ServiceProvider.GetRequiredService<RewardRunService>().EnqueueAsync(new RewardRunRequest
            {
                Name = "watched-rm", BaseModelId = imported.Model!.Id, DataFile = file,
                Config = new RewardTrainingConfig { Epochs = 2, BatchPairs = 8, MaxLength = 16, EvalEvery = 5, LearningRate = 1e-3 },
            }, null);
            Assert.True(id is not null, string.Join(" ", errors));
            jobId = id!.Value;
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await BrowserPages.OpenAsync(browser, site.BaseAddress);
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);

        await page.GotoAsync($"/runs/{jobId}");
        await page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached });
        // The loss chart appears while it trains (the page refreshes itself), then the run succeeds.
        await page.WaitForSelectorAsync("[data-chart='Loss']", new() { Timeout = 300_000 });
        await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 420_000 });
        var log = await page.InnerTextAsync("#run-log");
        Assert.Contains("Registered reward model 'watched-rm'", log);
        Assert.Contains("watched-rm", await page.InnerTextAsync("#run-config"));

        await page.GotoAsync("/models");
        await page.WaitForSelectorAsync("#models-table");
        Assert.Contains("watched-rm", await page.InnerTextAsync("#models-table"));

        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.GotoAsync($"/runs/{jobId}");
        await page.WaitForSelectorAsync("[data-chart='Accuracy']");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "run.png"), FullPage = true });
    }
}
