using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Core.Projects;
using Rlhf.Data.Pools;
using Rlhf.Data.Projects;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;

namespace Rlhf.Browser.Tests;

/// <summary>
/// A small rating campaign end to end in chromium against the real server: an admin makes a pool and an invitation;
/// a new rater registers through the link, rates three comparisons with the keyboard only, skips one and sees their
/// stats; an XSS payload in a response shows as text; the researcher's agreement numbers move.
/// </summary>
public class RatingCampaignTests(SiteProcess site) : IClassFixture<SiteProcess>
{
    private const string Xss = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";

    /// <summary>A project of four comparisons (k = 2), one of whose responses carries an XSS payload.</summary>
    private static async Task<int> SeedProjectAsync(SiteData data)
    {
        await using var db = await data.DbAsync();
        var project = new Project { Name = "Browser campaign", Status = ProjectStatus.Active, Overlap = 2, GoldRate = 0, Guidelines = "Pick the **more helpful** reply.", CreatedAtUtc = DateTime.UtcNow };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        for (var i = 0; i < 4; i++)
        {
            var prompt = new Prompt { ProjectId = project.Id, Text = $"Question number {i}: where is my parcel?", CreatedAtUtc = DateTime.UtcNow };
            db.Prompts.Add(prompt);
            await db.SaveChangesAsync();
            var a = new Response { PromptId = prompt.Id, Text = i == 0 ? $"Here it is: {Xss}" : $"It ships tomorrow ({i}).", Source = "imported", CreatedAtUtc = DateTime.UtcNow };
            var b = new Response { PromptId = prompt.Id, Text = $"No idea, sorry ({i}).", Source = "imported", CreatedAtUtc = DateTime.UtcNow };
            db.Responses.AddRange(a, b);
            await db.SaveChangesAsync();
            db.Comparisons.Add(new Comparison { ProjectId = project.Id, PromptId = prompt.Id, ResponseAId = a.Id, ResponseBId = b.Id, RequiredVotes = 2, CreatedAtUtc = DateTime.UtcNow });
        }
        await db.SaveChangesAsync();
        return project.Id;
    }

    [Fact]
    public async Task A_small_campaign_runs_end_to_end_in_the_browser()
    {
        await using var data = new SiteData(site);
        var projectId = await SeedProjectAsync(data);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);

        // 1. The admin makes a pool and an invitation link.
        var admin = await BrowserPages.OpenAsync(browser, site.BaseAddress);
        await BrowserPages.LogInAsync(admin, SiteProcess.AdminEmail, SiteProcess.AdminPassword);
        await admin.GotoAsync("/admin/pools");
        await admin.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached });
        await admin.FillAsync("#pool-name", "Browser pool");
        await admin.ClickAsync("#create-pool");
        await admin.WaitForSelectorAsync("[data-pool='Browser pool']");
        await admin.ClickAsync("[data-pool='Browser pool'] [data-action=invite]");
        var link = (await admin.InnerTextAsync("#invitation-link code")).Trim();
        Assert.Contains("/invite/", link);

        // The researcher opens the pool to the project (project settings do the same through the service).
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
            var poolId = (await pools.ListAsync()).Single(p => p.Name == "Browser pool").Id;
            var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
            var edit = ProjectEdit.From((await projects.GetAsync(projectId, null))!.Value.Project, [poolId]);
            Assert.Empty((await projects.SaveAsync(projectId, edit, null)).Errors);
        }

        // 2. A new rater registers through the link and lands on the rating page.
        var rater = await BrowserPages.OpenAsync(browser, site.BaseAddress);
        await rater.GotoAsync(link);
        await rater.FillAsync("#Input\\.Email", "new.rater@example.test");
        await rater.FillAsync("#Input\\.Password", "Rater-Password-1");
        await rater.FillAsync("#Input\\.ConfirmPassword", "Rater-Password-1");
        await rater.ClickAsync("button[type=submit]");
        await rater.WaitForURLAsync("**/rate");
        await rater.WaitForSelectorAsync("#rating-task", new() { Timeout = BrowserPages.PatienceMs });
        await rater.WaitForFunctionAsync("() => document.body.dataset.ratingKeys === 'ready'");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await rater.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "rate.png"), FullPage = true });

        // 3. Keyboard only: three votes and one skip; each time the next comparison appears without a reload.
        var sawXss = false;
        var keys = new[] { "1", "4", "5" };
        var seen = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            var assignment = await rater.GetAttributeAsync("#rating-task", "data-assignment");
            Assert.True(seen.Add(assignment!), "a comparison came back twice");
            var responses = await rater.InnerTextAsync("#response-left") + await rater.InnerTextAsync("#response-right");
            if (responses.Contains("<script>window.__xss = 1</script>"))
            {
                sawXss = true;
                Assert.Contains("onerror=", responses); // shown as text
            }
            if (i < 3)
            {
                await rater.Keyboard.PressAsync(keys[i]);
                await rater.Keyboard.PressAsync("b");
                await rater.Keyboard.PressAsync("Enter");
            }
            else
            {
                await rater.Keyboard.PressAsync("s");
                await rater.WaitForSelectorAsync("#skip-reason");
                await rater.Keyboard.TypeAsync("cannot judge parcels");
                await rater.Keyboard.PressAsync("Enter");
            }
            if (i < 3)
                await rater.WaitForFunctionAsync("prev => document.querySelector('#rating-task')?.dataset.assignment !== prev || !!document.querySelector('#nothing-to-rate')", assignment);
        }
        await rater.WaitForSelectorAsync("#nothing-to-rate");
        Assert.True(sawXss, "the rater never saw the comparison with the payload");
        Assert.Null(await rater.EvaluateAsync<int?>("() => window.__xss ?? null"));

        // 4. Their stats.
        await rater.GotoAsync("/my-stats");
        await rater.WaitForSelectorAsync("[data-project='Browser campaign'] [data-stat=votes]");
        Assert.Equal("3", (await rater.InnerTextAsync("[data-project='Browser campaign'] [data-stat=votes]")).Trim());
        Assert.Equal("1", (await rater.InnerTextAsync("[data-project='Browser campaign'] [data-stat=skips]")).Trim());

        // The votes are stored with both-bad, relative to A/B, with seconds on task.
        await using (var db = await data.DbAsync())
        {
            var votes = await db.Votes.Where(v => v.ProjectId == projectId).ToListAsync();
            Assert.Equal(3, votes.Count);
            Assert.All(votes, v => Assert.True(v.BothBad));
            Assert.Equal("cannot judge parcels", (await db.Assignments.SingleAsync(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped)).SkipReason);
        }

        // 5. The researcher sees agreement move once a second rater votes on the same comparisons.
        await admin.GotoAsync($"/projects/{projectId}");
        await admin.WaitForSelectorAsync("[data-stat=percent-agreement]");
        var before = await admin.InnerTextAsync("[data-stat=percent-agreement]");
        Assert.Contains("—", before); // one vote per comparison: nothing to agree on yet
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserDirectory>();
            var second = await users.CreateAsync("second@example.test", ["Rater"], "Rater-Password-1", null);
            var pools = scope.ServiceProvider.GetRequiredService<PoolService>();
            Assert.Null(await pools.AddMemberAsync((await pools.ListAsync()).Single(p => p.Name == "Browser pool").Id, "second@example.test", null));
            var rating = scope.ServiceProvider.GetRequiredService<RatingService>();
            while (await rating.NextAsync(second.UserId!) is { } task)
                Assert.True((await rating.SubmitAsync(second.UserId!, task.AssignmentId, 0, false, null)).Succeeded);
        }
        await admin.WaitForFunctionAsync("before => !document.querySelector('[data-stat=percent-agreement]').innerText.includes('—')", before,
            new() { Timeout = BrowserPages.PatienceMs }); // the dashboard refreshes itself
        Assert.Matches("\\d", await admin.InnerTextAsync("[data-stat=percent-agreement]"));

        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await admin.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "project.png"), FullPage = true });
    }
}
