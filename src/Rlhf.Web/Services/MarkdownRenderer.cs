using AngleSharp.Dom;
using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace Rlhf.Web.Services;

/// <summary>
/// Markdown to safe HTML for guidelines, prompts and responses: raw HTML in the text is not interpreted (a
/// <c>&lt;script&gt;</c> or <c>onerror=</c> payload shows as text), and the result is sanitised again. An image from
/// anywhere but the site itself becomes a note with its description, so a prompt or response cannot make raters'
/// browsers call another host (the Content-Security-Policy's img-src says the same).
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
        s.PostProcessNode += (_, e) =>
        {
            if (e.Node is not IElement { LocalName: "img" } image || IsOnThisSite(image.GetAttribute("src"))) return;
            var note = e.Document.CreateElement("span");
            note.ClassName = "remote-image";
            var alt = image.GetAttribute("alt");
            note.TextContent = string.IsNullOrWhiteSpace(alt) ? "[image from another site, not shown]" : $"[image from another site, not shown: {alt}]";
            e.ReplacementNodes.Add(note);
        };
        return s;
    }

    /// <summary>A path on this site ("/logo.png", "img/a.png"): no scheme, not a protocol-relative "//host" or "/\host".</summary>
    private static bool IsOnThisSite(string? src)
    {
        // Browsers drop tabs and newlines inside URLs and spaces around them: "/\t/host" is "//host".
        var url = new string((src ?? "").Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray());
        if (url.Length == 0 || url.Contains('\\') || url.StartsWith("//", StringComparison.Ordinal)) return false;
        return !url.Split('/', '?', '#')[0].Contains(':');
    }
}
