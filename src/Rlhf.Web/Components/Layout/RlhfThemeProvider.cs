using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using MudBlazor;

namespace Rlhf.Web.Components.Layout;

/// <summary>
/// MudBlazor's theme provider with its markup built once per theme and mode and shared by every circuit. The markup
/// is the theme's style sheet (about 11,700 characters of CSS variables): <see cref="MudThemeProvider"/> builds it again
/// at every render, and a component's two render trees keep the last two copies, about 46 kB per open page. The
/// markup is the base class's own, taken from one render of it; should a MudBlazor version render anything but
/// markup there, every render is the base class's again.
/// </summary>
public sealed class RlhfThemeProvider : MudThemeProvider
{
    // Per theme: the markup for each of light or dark, with or without the default scroll bar (null until built;
    // "" when the base class renders more than markup).
    private static readonly ConditionalWeakTable<MudTheme, string?[]> Markups = new();

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (Theme is not { } theme)
        {
            base.BuildRenderTree(builder);
            return;
        }
        var markups = Markups.GetValue(theme, _ => new string?[4]);
        var slot = (IsDarkMode ? 1 : 0) + (DefaultScrollbar ? 2 : 0);
        var markup = markups[slot] ??= MarkupOfBase();
        if (markup.Length == 0) base.BuildRenderTree(builder);
        else builder.AddMarkupContent(0, markup);
    }

    /// <summary>What the base class renders, as one piece of markup, or "" when it renders anything else.</summary>
    private string MarkupOfBase()
    {
        using var scratch = new RenderTreeBuilder();
        base.BuildRenderTree(scratch);
        var frames = scratch.GetFrames();
        var markup = new StringBuilder();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames.Array[i].FrameType != RenderTreeFrameType.Markup) return "";
            markup.Append(frames.Array[i].MarkupContent);
        }
        return markup.ToString();
    }
}
