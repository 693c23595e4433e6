using Rlhf.Web.Services;

namespace Rlhf.Web.Tests.Services;

/// <summary>Rendered markdown never makes a rater's browser fetch an image from another host.</summary>
public class MarkdownRendererTests
{
    private readonly MarkdownRenderer renderer = new();

    [Theory]
    [InlineData("![tracking pixel](https://evil.example/p.png?rater=1)")]
    [InlineData("![tracking pixel](http://evil.example/p.png)")]
    [InlineData("![tracking pixel](//evil.example/p.png)")]
    [InlineData("![tracking pixel](HTTPS://EVIL.EXAMPLE/p.png)")]
    [InlineData("![tracking pixel][ref]\n\n[ref]: https://evil.example/p.png")]
    public void A_remote_image_becomes_a_note_with_its_description(string markdown)
    {
        var html = renderer.ToHtml("Before. " + markdown).Value;
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("evil.example", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<span class=\"remote-image\">[image from another site, not shown: tracking pixel]</span>", html);
        Assert.Contains("Before.", html);
    }

    [Fact]
    public void An_image_on_the_site_and_links_to_other_sites_stay()
    {
        var html = renderer.ToHtml("![logo](/favicon.png) and [a link](https://example.org/page)").Value;
        Assert.Contains("<img src=\"/favicon.png\" alt=\"logo\">", html);
        Assert.Contains("<a href=\"https://example.org/page\">a link</a>", html);
    }

    [Fact]
    public void Raw_html_images_are_shown_as_text_not_loaded()
    {
        var html = renderer.ToHtml("<img src=\"https://evil.example/x.png\">").Value;
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img", html);
    }
}
