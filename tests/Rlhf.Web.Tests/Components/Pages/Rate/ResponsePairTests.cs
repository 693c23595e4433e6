using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Rlhf.Web.Components.Pages.Rate;
using Rlhf.Web.Services;

namespace Rlhf.Web.Tests.Components.Pages.Rate;

/// <summary>The two responses on the rating page: a reply cut off at the generation's token limit says so, on its own side only.</summary>
public class ResponsePairTests
{
    [Fact]
    public async Task A_cut_off_reply_is_marked_on_its_side_only()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddSingleton(new MarkdownRenderer());
        context.JSInterop.Mode = JSRuntimeMode.Loose;

        var pair = context.Render<ResponsePair>(p => p.Add(c => c.Left, "Your parcel ships").Add(c => c.Right, "It ships today.")
            .Add(c => c.LeftCutOff, true).Add(c => c.RightCutOff, false));

        Assert.Contains("cut off at the length limit", pair.Find("#response-left").TextContent);
        Assert.Empty(pair.Find("#response-right").QuerySelectorAll("[data-cut-off]"));
        Assert.Single(pair.FindAll("[data-cut-off]"));
    }
}
