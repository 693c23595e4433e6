using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Core.Demonstrations;
using Rlhf.Core.Jobs;
using Rlhf.Core.Pools;
using Rlhf.Core.Projects;
using Rlhf.Core.Registry;
using Rlhf.Data.Audit;
using Rlhf.Data.Demonstrations;
using Rlhf.Data.Projects;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;
using Rlhf.Demo.Corpus;
using Rlhf.Jobs.Registry;
using Rlhf.Jobs.Runner;
using Rlhf.Jobs.Training;
using Xunit.Abstractions;
using static Rlhf.Browser.Tests.BrowserPages;

namespace Rlhf.Browser.Tests;

/// <summary>
/// Issue #19's "done when", in one scene against the real site: a researcher makes a demonstration project (review on) on
/// six demo-task prompts; a rater writes two demonstrations with the keyboard only (an empty reply is refused first); the
/// researcher accepts one and writes a reference, another rater accepts the other; the SFT export holds both; an SFT run
/// of the shipped demo policy is launched from the form (1 epoch, 1 step of 2 sequences); its model is rated against the
/// demo policy on the four prompts it did not train on, and it lands on the leaderboard.
/// </summary>
public class DemonstrationFlowTests(SiteProcess site, ITestOutputHelper output) : IClassFixture<SiteProcess>
{
    private const string ProjectName = "Demo demonstrations", Sft = "demo-sft", RaterPassword = "Rater-Password-1";

    [Fact]
    public async Task Demonstrations_written_in_the_browser_train_an_SFT_model_that_is_rated_against_the_demo_policy_and_ranked()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var data = new SiteData(site);
        var (poolId, writer, reviewer) = await RatersAsync(data);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var researcher = await OpenAsync(browser, site.BaseAddress);
        await LogInAsync(researcher, SiteProcess.AdminEmail, SiteProcess.AdminPassword);

        // 1. The researcher makes the demonstration project with the form; six demo prompts and the pool go in through the services.
        await researcher.GotoAsync("/projects/new");
        await WaitInteractiveAsync(researcher);
        await researcher.FillAsync("#project-name", ProjectName);
        await ChooseAsync(researcher, "#project-kind", "Write the reply");
        await ChooseAsync(researcher, "#project-status", "Active");
        await researcher.FillAsync("#project-guidelines", "Answer in **two sentences** at most.");
        await ClickSwitchAsync(researcher, "project-review-demonstrations");
        await researcher.ClickAsync("#save-project");
        await researcher.WaitForURLAsync(new Regex(@"/projects/\d+$"));
        var projectId = int.Parse(researcher.Url[(researcher.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
            var project = (await projects.GetAsync(projectId, null))!.Value.Project;
            Assert.Equal((ProjectKind.Demonstrations, true, ProjectStatus.Active), (project.Kind, project.ReviewDemonstrations, project.Status));
            Assert.Empty((await projects.SaveAsync(projectId, ProjectEdit.From(project, [poolId]), null)).Errors);
        }
        await using (var db = await data.DbAsync())
        {
            db.Prompts.AddRange(DemoCorpus.Prompts(19, 6).Select(p => new Prompt { ProjectId = projectId, Text = p, CreatedAtUtc = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        }

        // 2. The rater writes two demonstrations, keyboard only: focus starts in the reply box, Ctrl+Enter submits.
        var rater = await OpenAsync(browser, site.BaseAddress);
        await LogInAsync(rater, writer.Email, RaterPassword);
        await rater.GotoAsync("/write");
        await WaitInteractiveAsync(rater);
        await WaitForReplyBoxAsync(rater, previous: null);
        Assert.Contains("two sentences", await rater.InnerTextAsync("#writing-guidelines"));
        var first = await rater.GetAttributeAsync("#writing-task", "data-assignment");
        await rater.Keyboard.PressAsync("Control+Enter");                         // nothing written yet: refused, nothing stored
        await rater.WaitForSelectorAsync("#writing-error:has-text('an empty reply is not stored')");
        await rater.Keyboard.InsertTextAsync("Start with the basics: pick one small task and do it today.");
        await rater.WaitForSelectorAsync("#writing-length:has-text('59 / 20,000 characters')");
        await rater.Keyboard.PressAsync("Control+Enter");
        await WaitForReplyBoxAsync(rater, previous: first);
        var second = await rater.GetAttributeAsync("#writing-task", "data-assignment");
        await rater.Keyboard.InsertTextAsync("Keep it **short**: one clear step, then the next.");
        await rater.Keyboard.PressAsync("Control+Shift+P");                       // the markdown preview...
        await rater.WaitForSelectorAsync("#writing-preview strong:has-text('short')");
        await rater.Keyboard.PressAsync("Control+Shift+P");                       // ...and back to the box, focus in it
        await WaitForReplyBoxAsync(rater, previous: first);
        await rater.Keyboard.PressAsync("Control+Enter");
        await WaitForReplyBoxAsync(rater, previous: second);
        List<Demonstration> written;
        await using (var db = await data.DbAsync())
            written = await db.Demonstrations.AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Id).ToListAsync();
        Assert.Equal(["Start with the basics: pick one small task and do it today.", "Keep it **short**: one clear step, then the next."], written.Select(d => d.Text));
        Assert.All(written, d => Assert.Equal((writer.Id, DemonstrationVerdict.Pending), (d.RaterId, d.Verdict)));

        // 3. Review: the researcher accepts the first and writes a reference for its prompt; another rater accepts the second.
        await researcher.GotoAsync($"/projects/{projectId}/demonstrations");
        await WaitInteractiveAsync(researcher);
        await researcher.ClickAsync($"[data-demonstration='{written[0].Id}'] [data-review=accept]");
        await researcher.WaitForSelectorAsync($"[data-demonstration='{written[0].Id}'][data-verdict='Accepted']");
        await researcher.FillAsync($"#reference-{written[0].PromptId}", "Pick one small task and finish it before lunch.");
        await researcher.ClickAsync($"[data-reference-save='{written[0].PromptId}']");
        await researcher.WaitForSelectorAsync($"text=Reference of prompt {written[0].PromptId} saved.");
        await using (var scope = data.Services.CreateAsyncScope())
        {
            var reviews = scope.ServiceProvider.GetRequiredService<DemonstrationReviewService>();
            Assert.Equal("You cannot review your own demonstration.", await reviews.ReviewAsync(written[1].Id, DemonstrationVerdict.Accepted, null, new AuditActor(writer.Id, writer.Email)));
            Assert.Null(await reviews.ReviewAsync(written[1].Id, DemonstrationVerdict.Accepted, null, new AuditActor(reviewer, "reviewer")));
        }
        var export = await researcher.APIRequest.GetAsync($"/data/projects/{projectId}/exports/sft?format=messages");
        Assert.Equal(200, export.Status);
        var lines = (await export.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("""{"messages":[{"role":"user","content":""", l));
        output.WriteLine($"demonstrations written and reviewed at {clock.Elapsed.TotalSeconds:F0} s");

        // 4. An SFT run of the demo policy on the project's accepted demonstrations, from the form, tiny.
        await researcher.GotoAsync("/runs/new-sft");
        await WaitInteractiveAsync(researcher);
        await researcher.FillAsync("#sft-name", Sft);
        await ChooseAsync(researcher, "#sft-base", ModelRegistry.ShippedDemoName);
        await ChooseAsync(researcher, "#sft-project", $"{ProjectName} (2 demonstrations)");
        await FillNumberAsync(researcher, "#sft-epochs", 1);
        await FillNumberAsync(researcher, "#sft-lr", 1e-4);
        await FillNumberAsync(researcher, "#sft-batch", 2);
        await FillNumberAsync(researcher, "#sft-max-length", 64);
        await FillNumberAsync(researcher, "#sft-validation", 0);
        await FillNumberAsync(researcher, "#sft-eval-every", 1);
        await FillNumberAsync(researcher, "#sft-sample-every", 0);
        await researcher.ClickAsync("#start-sft-run");
        await researcher.WaitForURLAsync(new Regex(@"/runs/\d+$"));
        var jobId = long.Parse(researcher.Url[(researcher.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        var request = System.Text.Json.JsonSerializer.Deserialize<SftRunRequest>((await data.Services.GetRequiredService<JobQueue>().GetAsync(jobId))!.PayloadJson, JobQueue.Json)!;
        Assert.Equal(((int?)projectId, 1, 2, 64, 0.0), (request.ProjectId, request.Config.Epochs, request.Config.BatchSize, request.Config.MaxLength, request.Config.ValidationFraction));
        await WaitInteractiveAsync(researcher);
        await researcher.WaitForSelectorAsync("[data-status='Succeeded']", new() { Timeout = 420_000 });
        Assert.Contains($"Registered policy '{Sft}'", await researcher.InnerTextAsync("#run-log"));
        Assert.Contains("on 2 demonstrations", await researcher.InnerTextAsync("#run-log"));
        output.WriteLine($"SFT run {jobId} succeeded at {clock.Elapsed.TotalSeconds:F0} s");

        // 5. Rated against the demo policy on the prompts it did not train on (the demonstration project's other four).
        await researcher.ClickAsync("#rate-against-reference");
        await researcher.ClickAsync("#rate-start");
        await researcher.WaitForURLAsync(new Regex(@"/projects/\d+$"));
        var loopProjectId = int.Parse(researcher.Url[(researcher.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        await WaitUntilAsync(async () =>
        {
            await using var db = await data.DbAsync();
            return await db.Comparisons.CountAsync(c => c.ProjectId == loopProjectId) == 4;
        }, TimeSpan.FromMinutes(6), "the comparisons of the rating project");
        int sftId, demoId;
        await using (var db = await data.DbAsync())
        {
            var trained = written.Select(d => d.PromptId).ToHashSet();
            var heldOut = await db.Prompts.Where(p => p.ProjectId == projectId && !trained.Contains(p.Id)).Select(p => p.Text).ToListAsync();
            Assert.Equal(heldOut.Order(), (await db.Prompts.Where(p => p.ProjectId == loopProjectId).Select(p => p.Text).ToListAsync()).Order());
            sftId = (await db.Models.SingleAsync(m => m.Name == Sft)).Id;
            demoId = (await db.Models.SingleAsync(m => m.Name == ModelRegistry.ShippedDemoName)).Id;
            var sft = await db.Models.AsNoTracking().SingleAsync(m => m.Id == sftId);
            Assert.Equal((ModelKind.Policy, (int?)demoId, (long?)jobId), (sft.Kind, sft.ParentId, sft.ProducedByJobId));
        }

        // The rater votes the pairs through the rating service (the SFT model's reply better in three of the four), and the leaderboard ranks it first.
        await using (var scope = data.Services.CreateAsyncScope())
        await using (var db = await data.DbAsync())
        {
            var rating = scope.ServiceProvider.GetRequiredService<RatingService>();
            var votes = 0;
            while (await rating.NextAsync(writer.Id) is { } task)
            {
                votes++;
                var a = await db.Assignments.AsNoTracking().SingleAsync(x => x.Id == task.AssignmentId);
                var c = await db.Comparisons.AsNoTracking().SingleAsync(x => x.Id == a.ComparisonId);
                var sftIsA = await db.Responses.AnyAsync(r => r.Id == c.ResponseAId && r.ModelId == sftId);
                var sftShownLeft = sftIsA == a.AShownLeft;
                if (votes == 1) sftShownLeft = !sftShownLeft;   // the first vote goes to the demo policy
                Assert.True((await rating.SubmitAsync(writer.Id, task.AssignmentId, sftShownLeft ? -1 : 1, false, null)).Succeeded);
            }
            Assert.Equal(4, votes);
        }
        await researcher.GotoAsync("/models");
        await WaitInteractiveAsync(researcher);
        var board = await researcher.InnerTextAsync("#leaderboard");
        Assert.Contains(Sft, board);
        Assert.Contains(ModelRegistry.ShippedDemoName, board);
        Assert.True(board.IndexOf(Sft, StringComparison.Ordinal) < board.IndexOf(ModelRegistry.ShippedDemoName, StringComparison.Ordinal), board);
        output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Waits for a new task (another assignment than <paramref name="previous"/>) with the focus in its reply box and the keys attached.</summary>
    private static Task WaitForReplyBoxAsync(IPage page, string? previous) =>
        page.WaitForFunctionAsync(
            "previous => document.body.dataset.writingKeys === 'ready' && document.activeElement?.id === 'demonstration-reply' && " +
            "document.querySelector('#writing-task')?.dataset.assignment !== previous", previous ?? "");

    /// <summary>A pool with two raters: the writer and a reviewer.</summary>
    private static async Task<(int PoolId, (string Id, string Email) Writer, string Reviewer)> RatersAsync(SiteData data)
    {
        await using var scope = data.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var writer = (await users.CreateAsync("writer@example.test", ["Rater"], RaterPassword, null)).UserId!;
        var reviewer = (await users.CreateAsync("reviewer@example.test", ["Rater"], RaterPassword, null)).UserId!;
        await using var db = await data.DbAsync();
        var pool = new Pool { Name = "Demonstration writers", CreatedAtUtc = DateTime.UtcNow };
        db.Pools.Add(pool);
        await db.SaveChangesAsync();
        db.PoolMembers.AddRange(new PoolMember { PoolId = pool.Id, UserId = writer, AddedAtUtc = DateTime.UtcNow },
            new PoolMember { PoolId = pool.Id, UserId = reviewer, AddedAtUtc = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return (pool.Id, (writer, "writer@example.test"), reviewer);
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}:\n{site.Log}");
            await Task.Delay(500);
        }
    }
}
