using Bunit;
using MudBlazor.Services;
using Rlhf.Web.Components.Shared;

namespace Rlhf.Web.Tests.Components.Shared;

/// <summary>A value shown only once (invitation link, token, password) has a button that puts it on the clipboard.</summary>
public class CopyButtonTests
{
    [Fact]
    public async Task The_button_is_named_for_what_it_copies_and_copies_exactly_that()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var button = context.Render<CopyButton>(p => p.Add(b => b.Text, "https://rlhf.example/invite/abc").Add(b => b.What, "invitation link"));

        Assert.Equal("Copy the invitation link", button.Find("button").GetAttribute("aria-label"));
        button.Find("button").Click();

        var copied = Assert.Single(context.JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText");
        Assert.Equal(["https://rlhf.example/invite/abc"], copied.Arguments);
    }
}
