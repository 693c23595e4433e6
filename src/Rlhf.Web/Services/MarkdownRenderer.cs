using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace Rlhf.Web.Services;

/// <summary>
/// Markdown to safe HTML for guidelines, prompts and responses: raw HTML in the text is not interpreted (a
/// <c>&lt;script&gt;</c> or <c>onerror=</c> payload shows as text), and the result is sanitised again.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private readonly HtmlSanitizer sanitizer = CreateSanitizer();

    public MarkupString ToHtml(string? markdown) =>
        new(sanitizer.Sanitize(Markdown.ToHtml(markdown ?? "", pipeline)));

    private static HtmlSanitizer CreateSanitizer()
    {
        var s = new HtmlSanitizer();
        s.AllowedSchemes.Clear();
        s.AllowedSchemes.Add("http");
        s.AllowedSchemes.Add("https");
        s.AllowedSchemes.Add("mailto");
        s.AllowedAttributes.Add("class"); // language-xxx on code blocks
        return s;
    }
}
