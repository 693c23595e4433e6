using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Browser.Tests.Accessibility;
using Rlhf.Browser.Tests.Site;
using Rlhf.Core.Projects;
using Rlhf.Core.Rating;
using Rlhf.Core.Registry;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;
using Rlhf.Training.Reward;

namespace Rlhf.Browser.Tests;

/// <summary>A reward run trained by the site's own job runner, watched in the browser: curves appear and it ends registered.</summary>
[Collection(SharedSite.Collection)]
public class RewardRunPageTests(SharedSite site)
{
    [Fact]
    public async Task A_researcher_watches_a_reward_run_learn_live()
    {
        await using var data = new SiteData(site);
        long jobId;
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var imported = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ImportAsync(
                FixturePaths.Lm, "tiny-base", ModelKind.Base, null, "import", null, "", null);
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

        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);

        await page.GotoAsync($"/runs/{jobId}");
        await page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached });
        // The loss chart appears while it trains (the page refreshes itself), then the run succeeds.
        await page.WaitForSelectorAsync("[data-chart='Loss']", new() { Timeout = 300_000 });
        await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 420_000 });
        var log = await page.InnerTextAsync("#run-log");
        Assert.Contains("Registered reward model 'watched-rm'", log);
        Assert.Matches(@"on \d+ pairs \(\d+ for training, \d+ for validation\)", log);   // the split, from the first line on
        Assert.Contains("watched-rm", await page.InnerTextAsync("#run-config"));

        // Lineage on the Models page: the model links to the run that made it and to its parent model.
        await page.GotoAsync("/models");
        await page.WaitForSelectorAsync("#models-table");
        Assert.Contains("watched-rm", await page.InnerTextAsync("#models-table"));
        Assert.False(string.IsNullOrWhiteSpace(await page.InnerTextAsync("[data-model-parent='watched-rm'] a")));
        Assert.Equal($"run {jobId}", (await page.InnerTextAsync("[data-model-source='watched-rm'] a")).Trim());
        await page.ClickAsync("[data-model-source='watched-rm'] a");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"/runs/{jobId}$"));

        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.GotoAsync($"/runs/{jobId}");
        await page.WaitForSelectorAsync("[data-chart='Accuracy']");
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "run.png"), FullPage = true });
    }

    [Fact]
    public async Task The_reward_run_form_stores_the_pair_policy_chosen_as_on_the_export()
    {
        await using var data = new SiteData(site);
        var projectName = $"policy-form-{Guid.NewGuid():N}";
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var imported = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ImportAsync(
                FixturePaths.Lm, "policy-form-base", ModelKind.Base, null, "import", null, "", null);
            Assert.True(imported.Succeeded, imported.Error);
            await using var db = await data.DbAsync();
            db.Projects.Add(new Project { Name = projectName, CreatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);
        await page.GotoAsync("/runs/new");
        await BrowserPages.WaitInteractiveAsync(page);
        await page.FillAsync("#run-name", "policy-form-rm");
        await BrowserPages.ChooseAsync(page, "#run-base", "policy-form-base");
        await BrowserPages.ChooseAsync(page, "#run-project", projectName);
        await AccessibilityCheck.AssertNoSeriousViolationsAsync(page, "the reward run form");

        // Out-of-range values stay as typed, each field says what is wrong in the form's words, and Start starts nothing.
        await BrowserPages.FillNumberAsync(page, "#run-epochs", 0);
        await BrowserPages.FillNumberAsync(page, "#run-validation", 1.5);
        await BrowserPages.FillNumberAsync(page, "#run-lr", -1);
        await BrowserPages.FillNumberAsync(page, "#run-min-votes", 0);
        async Task<int> JobCountAsync() { await using var db = await data.DbAsync(); return await db.Jobs.CountAsync(); }
        var jobsBefore = await JobCountAsync();
        await page.ClickAsync("#start-run");
        await page.WaitForSelectorAsync("#run-plan:has-text('Correct the fields marked in red')");
        Assert.Equal("must be >= 1 (got 0)", await FieldErrorAsync(page, "#run-epochs"));
        Assert.Equal("must be >= 0 and < 1 (got 1.5)", await FieldErrorAsync(page, "#run-validation"));
        Assert.Equal("must be > 0 (got -1)", await FieldErrorAsync(page, "#run-lr"));
        Assert.Equal("The minimum number of votes must be at least 1.", await FieldErrorAsync(page, "#run-min-votes"));
        Assert.Equal(new[] { "0", "1.5", "-1" }, new[] { await page.InputValueAsync("#run-epochs"), await page.InputValueAsync("#run-validation"), await page.InputValueAsync("#run-lr") });
        Assert.DoesNotContain("--", await page.InnerTextAsync(".mud-main-content"));   // no CLI option named on the form
        Assert.EndsWith("/runs/new", page.Url);
        Assert.Equal(jobsBefore, await JobCountAsync());

        // Valid again: the plan shows what would run (the project has no votes yet, so no pairs, and says so).
        await BrowserPages.FillNumberAsync(page, "#run-epochs", 1);
        await BrowserPages.FillNumberAsync(page, "#run-validation", 0.1);
        await BrowserPages.FillNumberAsync(page, "#run-lr", 0.00005);
        await BrowserPages.FillNumberAsync(page, "#run-min-votes", 1);
        await page.WaitForSelectorAsync("#plan-train");
        Assert.Equal(new[] { "0", "0", "0" }, new[] { await page.InnerTextAsync("#plan-train"), await page.InnerTextAsync("#plan-held-out"), await page.InnerTextAsync("#plan-steps") });
        Assert.Contains("No pairs pass the selection", await page.InnerTextAsync("#run-plan"));

        await BrowserPages.ChooseAsync(page, "#run-method", "majority");
        await BrowserPages.FillNumberAsync(page, "#run-min-agreement", 0.6);
        await BrowserPages.FillNumberAsync(page, "#run-min-votes", 2);
        await BrowserPages.ClickSwitchAsync(page, "run-keep-ties");
        await BrowserPages.ClickSwitchAsync(page, "run-exclude-flagged");
        await BrowserPages.ClickSwitchAsync(page, "run-include-gold");
        await page.ClickAsync("#start-run");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"), new() { Timeout = BrowserPages.PatienceMs });
        var jobId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        var job = (await data.Services.GetRequiredService<JobQueue>().GetAsync(jobId))!;
        var request = JsonSerializer.Deserialize<RewardRunRequest>(job.PayloadJson, JobQueue.Json)!;
        Assert.Equal(new PreferencePolicy
        {
            Method = AggregationMethod.Majority, MinimumAgreement = 0.6, MinimumVotes = 2, DropTies = false, ExcludeFlaggedRaters = true, IncludeGold = true,
        }, request.Policy);
        Assert.Equal("policy-form-rm", request.Name);
        // The project has no votes: the run ends at once, saying so.
        await page.WaitForSelectorAsync("[data-status='Failed']", new() { Timeout = BrowserPages.PatienceMs });
        await page.WaitForSelectorAsync("#run-error", new() { Timeout = BrowserPages.PatienceMs });
        Assert.StartsWith("Only 0 preference pairs", await page.InnerTextAsync("#run-error"));

        // The export offers the same fields, and its download asks for the policy chosen there.
        await page.GotoAsync("/data");
        await BrowserPages.WaitInteractiveAsync(page);
        await BrowserPages.ChooseAsync(page, "#data-project", projectName);
        await BrowserPages.ChooseAsync(page, "#export-method", "majority");
        await BrowserPages.FillNumberAsync(page, "#export-min-votes", 3);
        await BrowserPages.ClickSwitchAsync(page, "export-exclude-flagged");
        await page.WaitForSelectorAsync("#export-preferences[href*='excludeFlagged=True']", new() { Timeout = BrowserPages.PatienceMs });
        var href = await page.GetAttributeAsync("#export-preferences", "href");
        Assert.EndsWith("?method=majority&keepTies=False&minAgreement=0&minVotes=3&excludeFlagged=True&includeGold=False", href);

        // The PPO form refuses out-of-range values the same way, in its own words.
        await page.GotoAsync("/runs/new-ppo");
        await BrowserPages.WaitInteractiveAsync(page);
        await AccessibilityCheck.AssertNoSeriousViolationsAsync(page, "the PPO run form");
        await BrowserPages.FillNumberAsync(page, "#ppo-batch", 5);
        await BrowserPages.FillNumberAsync(page, "#ppo-minibatches", 2);
        await page.ClickAsync("#start-ppo");
        await page.WaitForSelectorAsync("#run-plan:has-text('Correct the fields marked in red')");
        Assert.Equal("must be a multiple of the number of minibatches, 2 (got 5)", await FieldErrorAsync(page, "#ppo-batch"));
        Assert.Equal("5", await page.InputValueAsync("#ppo-batch"));
        Assert.EndsWith("/runs/new-ppo", page.Url);
        Assert.Equal(jobsBefore + 1, await JobCountAsync());   // only the reward run above
    }

    [Fact]
    public async Task A_reward_run_and_a_PPO_run_on_a_Llama_model_start_from_the_forms_and_register_their_models()
    {
        // A llama-tiny-shaped model with Llama 3's tokenizer and chat template, imported as the Models page does; 16
        // preference pairs to upload; a project of prompts for PPO.
        await using var data = new SiteData(site);
        var prefs = Path.Combine(site.Folder, "llama-prefs.jsonl");
        await File.WriteAllLinesAsync(prefs, Enumerable.Range(0, 16).Select(i =>
            JsonSerializer.Serialize(new { prompt = $"Q{i % 5}?", chosen = $"Thanks, answer {i}.", rejected = $"No {i}." })));
        var projectName = $"llama-prompts-{Guid.NewGuid():N}";
        int baseId;
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var source = TinyChatModels.Llama(Path.Combine(site.Folder, "llama-source"), seed: 2);
            var imported = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().ImportAsync(
                source, "llama-form-base", ModelKind.Base, null, "import", null, "", null);
            Assert.True(imported.Succeeded, imported.Error);
            baseId = imported.Model!.Id;
            await using var db = await data.DbAsync();
            var project = new Project { Name = projectName, CreatedAtUtc = DateTime.UtcNow };
            db.Projects.Add(project);
            await db.SaveChangesAsync();
            db.Prompts.AddRange(Enumerable.Range(0, 6).Select(i => new Prompt { ProjectId = project.Id, Text = $"Question {i}?", CreatedAtUtc = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await BrowserPages.OpenAsync(browser, site.BaseAddress);
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);

        // The reward run: the preference file uploaded on the form, one epoch of 4-pair steps.
        await page.GotoAsync("/runs/new");
        await BrowserPages.WaitInteractiveAsync(page);
        await page.FillAsync("#run-name", "llama-form-rm");
        await BrowserPages.ChooseAsync(page, "#run-base", "llama-form-base");
        await BrowserPages.ChooseAsync(page, "#run-source", "A TRL preference file");
        await BrowserPages.UploadAsync(page, "#run-file", prefs);
        await page.WaitForSelectorAsync("text=llama-prefs.jsonl", new() { Timeout = BrowserPages.PatienceMs });
        await BrowserPages.FillNumberAsync(page, "#run-epochs", 1);
        await BrowserPages.FillNumberAsync(page, "#run-batch-pairs", 4);
        await BrowserPages.FillNumberAsync(page, "#run-validation", 0.2);
        await BrowserPages.FillNumberAsync(page, "#run-lr", 0.001);
        await page.ClickAsync("#start-run");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"), new() { Timeout = BrowserPages.PatienceMs });
        await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 300_000 });
        Assert.Contains("Registered reward model 'llama-form-rm'", await page.InnerTextAsync("#run-log"));

        // The PPO run of the base model against that reward model: 2 updates of 2 rollouts, 6-token replies.
        await page.GotoAsync("/runs/new-ppo");
        await BrowserPages.WaitInteractiveAsync(page);
        await page.FillAsync("#ppo-name", "llama-form-ppo");
        await BrowserPages.ChooseAsync(page, "#ppo-policy", "llama-form-base");
        await BrowserPages.ChooseAsync(page, "#ppo-reward", "llama-form-rm");
        await BrowserPages.ChooseAsync(page, "#ppo-project", projectName);
        await BrowserPages.FillNumberAsync(page, "#ppo-held-out", 0);
        await BrowserPages.FillNumberAsync(page, "#ppo-steps", 2);
        await BrowserPages.FillNumberAsync(page, "#ppo-batch", 2);
        await BrowserPages.FillNumberAsync(page, "#ppo-minibatches", 1);
        await BrowserPages.FillNumberAsync(page, "#ppo-epochs", 1);
        await BrowserPages.FillNumberAsync(page, "#ppo-response-length", 6);
        await BrowserPages.FillNumberAsync(page, "#ppo-sample-every", 1);
        await BrowserPages.ChooseAsync(page, "#ppo-reward-normalization", "None");
        await page.ClickAsync("#start-ppo");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"), new() { Timeout = BrowserPages.PatienceMs });
        await page.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 300_000 });
        Assert.Contains("Registered policy 'llama-form-ppo'", await page.InnerTextAsync("#run-log"));

        // Both are registered as Llama models descending from the imported one, and listed on the Models page.
        await using (var db = await data.DbAsync())
        {
            var registered = await db.Models.AsNoTracking().Where(m => m.Name == "llama-form-rm" || m.Name == "llama-form-ppo")
                .OrderBy(m => m.Name).Select(m => new { m.Name, m.Kind, m.ModelType, m.ParentId }).ToListAsync();
            Assert.Equal([("llama-form-ppo", ModelKind.Policy, "llama", (int?)baseId), ("llama-form-rm", ModelKind.Reward, "llama", (int?)baseId)],
                registered.Select(m => (m.Name, m.Kind, m.ModelType, m.ParentId)));
        }
        await page.GotoAsync("/models");
        await page.WaitForSelectorAsync("#models-table");
        var table = await page.InnerTextAsync("#models-table");
        Assert.Contains("llama-form-rm", table);
        Assert.Contains("llama-form-ppo", table);
    }

    private static async Task<string> FieldErrorAsync(IPage page, string input) =>
        (await page.Locator(input).Locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' mud-input-control ')][1]").Locator(".mud-input-helper-text").InnerTextAsync()).Trim();
}
