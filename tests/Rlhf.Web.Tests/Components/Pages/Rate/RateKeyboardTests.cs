using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Rlhf.Core.Projects;
using Rlhf.Data.Rating;
using Rlhf.Data.Users;
using Rlhf.Web.Services;
using Rlhf.Web.Tests.Api;
using RatePage = Rlhf.Web.Components.Pages.Rate.Rate;

namespace Rlhf.Web.Tests.Components.Pages.Rate;

/// <summary>
/// The rating page's keyboard and focus logic, rendered with bUnit against the real rating service: keys choose, Enter
/// submits with the rationale typed, and the next comparison takes the focus out of the rationale box (else the next
/// "4" would be typed into it) and says so to screen readers; H opens the rater's recent votes, where keys change one.
/// </summary>
public class RateKeyboardTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task Enter_after_a_rationale_stores_the_vote_and_moves_focus_to_the_next_comparison()
    {
        _ = factory.Client();
        string raterId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("keys@example.test", ["Rater"], "Rater-Password-1", null);
            Assert.True(created.Succeeded, created.Error);
            raterId = created.UserId!;
        }
        // One project of two comparisons, with guidelines.
        var projectId = await ApiScene.ProjectForRatersAsync(factory, raterId);
        await using (var scene = await ApiScene.DbAsync(factory))
        {
            var project = await scene.Projects.SingleAsync(p => p.Id == projectId);
            project.Guidelines = "Prefer the **kinder** reply.";
            var only = await scene.Comparisons.SingleAsync(c => c.ProjectId == projectId);
            scene.Comparisons.Add(new Comparison { ProjectId = projectId, PromptId = only.PromptId, ResponseAId = only.ResponseBId, ResponseBId = only.ResponseAId, RequiredVotes = 2, CreatedAtUtc = DateTime.UtcNow });
            await scene.SaveChangesAsync();
        }

        await using var services = factory.Services.CreateAsyncScope();
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddSingleton(services.ServiceProvider.GetRequiredService<RatingService>());
        context.Services.AddSingleton(services.ServiceProvider.GetRequiredService<MarkdownRenderer>());
        context.Services.AddSingleton(services.ServiceProvider.GetRequiredService<VoteHistoryService>());
        context.Services.AddScoped<CurrentActor>();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var keys = context.JSInterop.SetupModule("./js/rating-keys.js");
        keys.Mode = JSRuntimeMode.Loose;
        var auth = context.AddAuthorization();
        auth.SetAuthorized("keys@example.test");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, raterId));
        context.SetRendererInfo(new RendererInfo("Server", true));

        var page = context.Render<RatePage>();
        page.WaitForElement("#rating-task", TimeSpan.FromSeconds(30));
        var first = page.Find("#rating-task").GetAttribute("data-assignment");
        // The first comparison takes the focus, so keys work at once and Tab starts there.
        page.WaitForAssertion(() => Assert.Equal("comparison-heading", Assert.Single(keys.Invocations["showNext"]).Arguments[0]), TimeSpan.FromSeconds(30));
        // "x of N" for the project, and its guidelines open: the rater opens it for the first time. G closes and opens them.
        Assert.Equal("0 of 2", page.Find("#project-progress").TextContent.Trim());
        Assert.Contains("kinder", page.Find("#guidelines").TextContent);
        Assert.True(GuidelinesOpen(page));
        await page.InvokeAsync(() => page.Instance.OnKey("g"));
        Assert.False(GuidelinesOpen(page));
        await page.InvokeAsync(() => page.Instance.OnKey("G"));
        Assert.True(GuidelinesOpen(page));

        // Enter before a choice: the comparison stays, with the reason, and focus is not moved.
        await page.InvokeAsync(() => page.Instance.OnKey("Enter"));
        Assert.Equal("Choose one of the five options first (keys 1 to 5).", page.Find("#rating-error").TextContent.Trim());
        Assert.Single(keys.Invocations["showNext"]);

        await page.InvokeAsync(() => page.Instance.OnKey("4"));
        Assert.Equal(["false", "false", "false", "true", "false"], page.FindAll("[data-choice]").Select(b => b.GetAttribute("aria-pressed")));
        page.Find("#rationale").Input("The right one answers the question.");
        await page.InvokeAsync(() => page.Instance.OnKey("Enter"));

        page.WaitForAssertion(() => Assert.NotEqual(first, page.Find("#rating-task").GetAttribute("data-assignment")), TimeSpan.FromSeconds(30));
        page.WaitForAssertion(() => Assert.Equal(2, keys.Invocations["showNext"].Count), TimeSpan.FromSeconds(30));
        Assert.Equal("comparison-heading", keys.Invocations["showNext"][1].Arguments[0]);
        Assert.NotNull(page.Find("#comparison-heading[tabindex='-1']"));
        Assert.Equal("Saved. A new comparison.", page.Find("#rating-status").TextContent);
        Assert.Equal("", page.Find("#rationale").GetAttribute("value") ?? "");
        Assert.All(page.FindAll("[data-choice]"), b => Assert.Equal("false", b.GetAttribute("aria-pressed")));
        Assert.Equal("1 of 2", page.Find("#project-progress").TextContent.Trim());
        Assert.True(GuidelinesOpen(page));   // as the rater left them: the same project

        // Opened again later (not for the first time), the guidelines wait closed until asked for.
        var again = context.Render<RatePage>();
        again.WaitForElement("#rating-task", TimeSpan.FromSeconds(30));
        Assert.Equal("1 of 2", again.Find("#project-progress").TextContent.Trim());
        Assert.False(GuidelinesOpen(again));

        // H opens the rater's recent votes in the page's place, focus on its heading; 5 and Enter change the vote; H goes
        // back to the same comparison, its lease kept.
        var second = page.Find("#rating-task").GetAttribute("data-assignment");
        await page.InvokeAsync(() => page.Instance.OnKey("H"));
        page.WaitForElement("#history-detail", TimeSpan.FromSeconds(30));
        page.WaitForAssertion(() => Assert.Equal("vote-history-heading", keys.Invocations["showNext"][^1].Arguments[0]), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll("#rating-task"));
        Assert.Single(page.FindAll("#history-list [role=option]"));
        Assert.Equal("true", page.Find("#history-choices [data-choice='1']").GetAttribute("aria-pressed"));
        Assert.Equal("The right one answers the question.", page.Find("#history-rationale").GetAttribute("value"));
        await page.InvokeAsync(() => page.Instance.OnKey("5"));
        await page.InvokeAsync(() => page.Instance.OnKey("Enter"));
        page.WaitForAssertion(() => Assert.Equal("Your vote is changed.", page.Find("#history-message").TextContent.Trim()), TimeSpan.FromSeconds(30));
        await page.InvokeAsync(() => page.Instance.OnKey("h"));
        page.WaitForAssertion(() => Assert.Equal(second, page.Find("#rating-task").GetAttribute("data-assignment")), TimeSpan.FromSeconds(30));

        await using var db = await ApiScene.DbAsync(factory);
        var vote = await db.Votes.SingleAsync(v => v.RaterId == raterId);
        Assert.Equal("The right one answers the question.", vote.Rationale);
        Assert.Equal((Rlhf.Core.Rating.VoteStrength.FromScreen(2, vote.AShownLeft), 1), (vote.Strength, vote.EditCount));
    }

    private static bool GuidelinesOpen(IRenderedComponent<RatePage> page) =>
        page.Find("#guidelines").ClassList.Contains("mud-panel-expanded");
}
