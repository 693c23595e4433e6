using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Browser.Tests.Accessibility;
using Rlhf.Browser.Tests.Site;
using Rlhf.Core.Projects;
using Rlhf.Data.Pools;
using Rlhf.Data.Projects;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;

namespace Rlhf.Browser.Tests;

/// <summary>
/// A small rating campaign end to end in chromium against the real server: an admin makes a pool and an invitation;
/// a new rater registers through the link, rates three comparisons with the keyboard only, skips one, changes their
/// last vote in the vote history (H) and sees their stats; an XSS payload in a response shows as text; the researcher's agreement numbers move.
/// </summary>
[Collection(SharedSite.Collection)]
public class RatingCampaignTests(SharedSite site)
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
        await using var browser = site.NewBrowser();

        // 1. The admin makes a pool and an invitation link.
        var admin = await browser.OpenAsync();
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
        var rater = await browser.OpenAsync();
        await rater.GotoAsync(link);
        await rater.FillAsync("#Input\\.Email", "new.rater@example.test");
        await rater.FillAsync("#Input\\.Password", "Rater-Password-1");
        await rater.FillAsync("#Input\\.ConfirmPassword", "Rater-Password-1");
        await rater.ClickAsync("button[type=submit]");
        // The form posts (static page) and the server redirects to /rate: a new document. Waited for by its URL and its
        // content, not by WaitForURLAsync: when the URL has already changed it waits for the "load" event, and Playwright's
        // .NET client checks that event and then subscribes to it, so a load that lands in between is missed and it
        // waits out its whole timeout (seen under load: only "NetworkIdle event fired" in its log).
        await Assertions.Expect(rater).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/rate$"), new() { Timeout = BrowserPages.PatienceMs });
        await rater.WaitForSelectorAsync("#rating-task", new() { Timeout = BrowserPages.PatienceMs });
        await rater.WaitForFunctionAsync("() => document.body.dataset.ratingKeys === 'ready'");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await rater.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "rate.png"), FullPage = true });
        // First visit: the guidelines are open, and the project's progress counts from 0.
        Assert.Contains("more helpful", await rater.InnerTextAsync("#guidelines"));
        Assert.Equal("0 of 4", (await rater.InnerTextAsync("#project-progress")).Trim());
        // Blinding: nothing on the rater's page names where a response came from.
        Assert.DoesNotContain("imported", await rater.InnerTextAsync("body"));
        await AccessibilityCheck.AssertNoSeriousViolationsAsync(rater, "the rating page");
        // The time on the comparison counts on in the browser (the server no longer renders the page every second).
        var elapsed = (await rater.InnerTextAsync("#elapsed")).Trim();
        Assert.Matches(@"^\d+:\d\d$", elapsed);
        await rater.WaitForFunctionAsync("shown => { const t = document.querySelector('#elapsed').textContent.trim(); return /^\\d+:\\d\\d$/.test(t) && t !== shown; }",
            elapsed, new() { Timeout = BrowserPages.PatienceMs });
        // A choice focused from the keyboard shows a focus ring.
        await rater.Keyboard.PressAsync("Tab");
        await rater.FocusAsync("[data-choice='0']");
        Assert.Equal("solid 3px", await rater.EvaluateAsync<string>("() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; }"));
        await rater.EvaluateAsync("() => document.activeElement.blur()");

        // On a phone (390 x 844, touch) the same comparison shows the five choices and Submit without scrolling, and no key hints.
        var phone = await browser.OpenAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        await BrowserPages.LogInAsync(phone, "new.rater@example.test", "Rater-Password-1");
        await phone.GotoAsync("/rate");
        await phone.WaitForSelectorAsync("#rating-task");
        foreach (var control in new[] { "[data-choice='-2']", "[data-choice='2']", "#submit-vote" })
        {
            var box = (await phone.Locator(control).BoundingBoxAsync())!;
            Assert.True(box.Y >= 0 && box.Y + box.Height <= 844 && box.X + box.Width <= 390, $"{control} at {box.X},{box.Y} ({box.Width}x{box.Height}) is outside the first screen");
        }
        Assert.False(await phone.Locator("#submit-vote .rlhf-keys-only").IsVisibleAsync());
        await phone.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "rate-phone.png") });
        await phone.Context.CloseAsync();

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
            if (i == 1)
            {
                // A rationale: R goes to the box, Enter submits from it, and the next comparison takes the keys again.
                await rater.Keyboard.PressAsync(keys[i]);
                await rater.WaitForSelectorAsync($"[data-choice='{int.Parse(keys[i]) - 3}'][aria-pressed=true]");
                await rater.Keyboard.PressAsync("b");
                await rater.Keyboard.PressAsync("r");
                await rater.WaitForFunctionAsync("() => document.activeElement?.id === 'rationale'");
                await rater.Keyboard.TypeAsync("The second one is vague.");
                await rater.Keyboard.PressAsync("Enter");
            }
            else if (i < 3)
            {
                await rater.Keyboard.PressAsync(keys[i]);
                await rater.WaitForSelectorAsync($"[data-choice='{int.Parse(keys[i]) - 3}'][aria-pressed=true]");
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

        // The vote history, keyboard only: H opens it (newest first, the comparison's votes not yet all in, so changeable);
        // the arrows pick a vote, 3 and Enter change the last one to a tie, H goes back.
        await rater.Keyboard.PressAsync("h");
        await rater.WaitForSelectorAsync("#history-list [role=option][aria-selected=true]");
        Assert.Equal(3, await rater.Locator("#history-list [role=option]").CountAsync());
        await AccessibilityCheck.AssertNoSeriousViolationsAsync(rater, "the vote history");
        var lastVote = (await rater.GetAttributeAsync("#history-detail", "data-vote"))!;
        Assert.Equal("true", await rater.GetAttributeAsync("#history-choices [data-choice='2']", "aria-pressed")); // 5: right much better
        await rater.Keyboard.PressAsync("ArrowDown");
        await rater.WaitForFunctionAsync("() => document.querySelector('#history-rationale')?.value === 'The second one is vague.'");
        await rater.Keyboard.PressAsync("ArrowUp");
        await rater.WaitForFunctionAsync("vote => document.querySelector('#history-detail')?.dataset.vote === vote", lastVote);
        await rater.Keyboard.PressAsync("3");
        await rater.WaitForSelectorAsync("#history-choices [data-choice='0'][aria-pressed=true]");
        await rater.Keyboard.PressAsync("Enter");
        Assert.Equal("Your vote is changed.", (await rater.InnerTextAsync("#history-message")).Trim());
        await rater.Keyboard.PressAsync("h");
        await rater.WaitForSelectorAsync("#nothing-to-rate");

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
            Assert.Single(votes, v => v.Rationale == "The second one is vague." && v.Strength != 0);
            var changed = votes.Single(v => v.Id == long.Parse(lastVote));
            Assert.Equal((0, 1), (changed.Strength, changed.EditCount)); // the tie chosen in the history, in place of the first choice
            Assert.Contains($"vote {lastVote}", await db.AuditEvents.Where(e => e.Action == "vote.changed").Select(e => e.Target).ToListAsync());
            Assert.Equal("cannot judge parcels", (await db.Assignments.SingleAsync(a => a.ProjectId == projectId && a.Status == AssignmentStatus.Skipped)).SkipReason);
        }

        // The researcher sees the skip with its reason, by kind (free words are "Other").
        await admin.GotoAsync($"/projects/{projectId}");
        await admin.WaitForSelectorAsync("#skips-table");
        Assert.Contains("cannot judge parcels", await admin.InnerTextAsync("#skips-table"));
        Assert.Equal("Other · 1", (await admin.InnerTextAsync("#skip-kind-filter [data-skip-kind='Other']")).Trim());

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

        await AccessibilityCheck.AssertNoSeriousViolationsAsync(admin, "the project page");
        // The first Tab reaches the skip link; following it puts the focus on the page itself, past the top bar and menu.
        await admin.GotoAsync($"/projects/{projectId}");
        await admin.WaitForSelectorAsync("#skips-table");
        // Once interactive: the circuit's first render replaces the prerendered page, and with it a focus taken before.
        await admin.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached });
        await admin.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await admin.EvaluateAsync<string>("() => document.activeElement?.id"));
        await admin.Keyboard.PressAsync("Enter");
        await admin.WaitForFunctionAsync("() => document.activeElement?.id === 'main-content'");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await admin.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "project.png"), FullPage = true });

        // 6. The review queue: the two raters disagree (the second always says "tie"); the skipped comparison is under
        // "Skipped" with its reason in its details.
        await admin.ClickAsync("#review-queue");
        await admin.WaitForURLAsync(new System.Text.RegularExpressions.Regex($@"/projects/{projectId}/review$"));
        await BrowserPages.WaitInteractiveAsync(admin);
        await admin.WaitForSelectorAsync("#review-table [data-review-votes]");
        await AccessibilityCheck.AssertNoSeriousViolationsAsync(admin, "the review queue");
        await admin.ClickAsync("[data-review-filter=Skipped]");
        await admin.WaitForFunctionAsync("() => document.querySelectorAll('#review-table [data-review-votes]').length === 1");
        await admin.ClickAsync("[data-review-open]");
        await admin.WaitForSelectorAsync("[data-review-details]");
        Assert.Contains("cannot judge parcels", await admin.InnerTextAsync("[data-review-details]"));
        await admin.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "review.png"), FullPage = true });
    }
}
