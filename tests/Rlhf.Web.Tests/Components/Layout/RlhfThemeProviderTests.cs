using Bunit;
using MudBlazor;
using MudBlazor.Services;
using Rlhf.Web.Components.Layout;

namespace Rlhf.Web.Tests.Components.Layout;

/// <summary>
/// The theme provider that builds its style sheet once per theme and mode renders exactly what MudBlazor's own renders,
/// in light and in dark mode, with and without MudBlazor's scroll bar.
/// </summary>
public class RlhfThemeProviderTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Renders_what_MudThemeProvider_renders(bool dark, bool defaultScrollbar)
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var theme = new MudTheme { PaletteLight = new PaletteLight { Success = "#2e7d32" } };

        var mud = context.Render<MudThemeProvider>(p => p.Add(c => c.Theme, theme).Add(c => c.IsDarkMode, dark).Add(c => c.DefaultScrollbar, defaultScrollbar));
        var ours = context.Render<RlhfThemeProvider>(p => p.Add(c => c.Theme, theme).Add(c => c.IsDarkMode, dark).Add(c => c.DefaultScrollbar, defaultScrollbar));
        var again = context.Render<RlhfThemeProvider>(p => p.Add(c => c.Theme, theme).Add(c => c.IsDarkMode, dark).Add(c => c.DefaultScrollbar, defaultScrollbar));

        Assert.Contains("--mud-palette-primary", mud.Markup);
        Assert.Contains(dark ? "--mud-palette-success: rgba(" : "--mud-palette-success: rgba(46,125,50,1)", mud.Markup);
        Assert.Equal(mud.Markup, ours.Markup);
        Assert.Equal(mud.Markup, again.Markup); // from the shared copy
    }

    [Fact]
    public async Task Switching_mode_renders_the_other_mode_s_sheet()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var theme = new MudTheme();

        var ours = context.Render<RlhfThemeProvider>(p => p.Add(c => c.Theme, theme).Add(c => c.IsDarkMode, false));
        var light = ours.Markup;
        ours.Render(p => p.Add(c => c.IsDarkMode, true));
        var dark = context.Render<MudThemeProvider>(p => p.Add(c => c.Theme, theme).Add(c => c.IsDarkMode, true)).Markup;

        Assert.NotEqual(light, ours.Markup);
        Assert.Equal(dark, ours.Markup);
    }
}
