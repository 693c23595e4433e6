using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Browser.Tests.Site;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;

namespace Rlhf.Browser.Tests;

/// <summary>A DPO run launched from its form on an uploaded TRL file and watched in the browser: its curves grow and it ends registered.</summary>
[Collection(SharedSite.Collection)]
public partial class DpoRunPageTests(SharedSite site)
{
    [Fact]
    public async Task A_researcher_launches_a_DPO_run_from_the_form_and_watches_its_curves()
    {
        await using var data = new SiteData(site);
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var imported = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ImportAsync(
                FixturePaths.Lm, "dpo-form-base", ModelKind.Base, null, "import", null, "", null);
            Assert.True(imported.Succeeded, imported.Error);
        }
        var file = Path.Combine(site.Folder, "dpo-prefs.jsonl");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 40).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Question {i % 23}?", chosen = $"Thanks! Answer {i}.", rejected = $"No. {i}" })));

        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);
        await page.GotoAsync("/runs");
        await BrowserPages.WaitInteractiveAsync(page);
        await page.ClickAsync("#new-dpo-run");
        await page.WaitForURLAsync("**/runs/new-dpo");
        await BrowserPages.WaitInteractiveAsync(page);

        await page.FillAsync("#dpo-name", "watched-dpo");
        await BrowserPages.ChooseAsync(page, "#dpo-policy", "dpo-form-base");
        await BrowserPages.ChooseAsync(page, "#dpo-source", "A TRL preference file");
        await BrowserPages.UploadAsync(page, "#dpo-file", file);
        await page.WaitForSelectorAsync("text=dpo-prefs.jsonl");
        // A bad beta is shown under its field and nothing is queued.
        await BrowserPages.FillNumberAsync(page, "#dpo-beta", 0);
        await page.ClickAsync("#start-dpo-run");
        await page.WaitForSelectorAsync("text=must be > 0 (got 0)");
        Assert.EndsWith("/runs/new-dpo", page.Url);

        await BrowserPages.FillNumberAsync(page, "#dpo-beta", 0.1);
        await BrowserPages.FillNumberAsync(page, "#dpo-lr", 0.001);
        await BrowserPages.FillNumberAsync(page, "#dpo-max-length", 24);
        await BrowserPages.FillNumberAsync(page, "#dpo-eval-every", 1);
        await page.ClickAsync("#start-dpo-run");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"));
        var jobId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var job = (await data.Services.GetRequiredService<JobQueue>().GetAsync(jobId))!;
        var request = JsonSerializer.Deserialize<DpoRunRequest>(job.PayloadJson, JobQueue.Json)!;
        Assert.Equal(("watched-dpo", 0.1, 1, 0.001, 24, 1), (request.Name, request.Config.Beta, request.Config.Epochs, request.Config.LearningRate, request.Config.MaxLength,
            request.Config.EvalEvery));

        // The curves appear while it trains (the page refreshes itself), then it succeeds and offers the loop.
        await BrowserPages.WaitInteractiveAsync(page);
        await page.WaitForSelectorAsync("[data-chart='Loss']", new() { Timeout = 300_000 });
        await page.WaitForSelectorAsync("[data-chart='Reward accuracy']", new() { Timeout = 300_000 });
        await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 420_000 });
        Assert.Contains("Registered policy 'watched-dpo'", await page.InnerTextAsync("#run-log"));
        Assert.Contains("train/rewards/margins", await page.InnerTextAsync("[data-chart='Reward margin (chosen − rejected)']"));
        await page.WaitForSelectorAsync("#rate-against-reference");
    }
}
