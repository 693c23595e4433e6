using Microsoft.Playwright;

namespace Rlhf.Browser.Tests.Site;

/// <summary>
/// The pages one test opens on <see cref="SharedSite"/>'s chromium, each in a fresh context (its own cookies) with
/// <see cref="BrowserPages.PatienceMs"/> as its timeouts; disposing closes them, so no circuit of a finished test keeps
/// running on the shared site.
/// </summary>
public sealed class SiteBrowser(IBrowser browser, Uri baseAddress) : IAsyncDisposable
{
    private readonly List<IBrowserContext> contexts = [];

    /// <summary>A page in a new context; <paramref name="options"/> for e.g. a phone's viewport (its base address is set here).</summary>
    public async Task<IPage> OpenAsync(BrowserNewContextOptions? options = null)
    {
        var page = await BrowserPages.OpenAsync(browser, baseAddress, options);
        lock (contexts) contexts.Add(page.Context);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        IBrowserContext[] open;
        lock (contexts) { open = [.. contexts]; contexts.Clear(); }
        foreach (var context in open) await context.CloseAsync();
    }
}
