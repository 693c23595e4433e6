using Microsoft.Playwright;

namespace Rlhf.Bench.Site;

/// <summary>
/// Real rating pages in Debian's chromium (Playwright; never `playwright install`): one browser, one context per rater,
/// each signed in straight to /rate and waiting until the page is interactive and its keys are ready.
/// </summary>
internal sealed class RatingPages : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly List<IBrowserContext> contexts = [];

    private RatingPages(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        this.browser = browser;
    }

    public int Open => contexts.Count;

    public static async Task<RatingPages> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath)) throw new InvalidOperationException($"chromium is not at {ChromiumPath} (eng/install-prereqs.sh installs it).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        return new RatingPages(playwright, browser);
    }

    /// <summary>Signs the rater in with ReturnUrl=/rate (one circuit per page) and waits for a comparison with keys ready.</summary>
    public async Task OpenAsync(Uri baseAddress, RaterAccount rater)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString() });
        lock (contexts) contexts.Add(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        await page.GotoAsync("/Account/Login?ReturnUrl=%2Frate");
        await page.FillAsync("#Input\\.Email", rater.Email);
        await page.FillAsync("#Input\\.Password", rater.Secret);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/rate");
        await page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        await page.WaitForSelectorAsync("#rating-task");
        await page.WaitForFunctionAsync("() => document.body.dataset.ratingKeys === 'ready'");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts) await context.CloseAsync();
        await browser.CloseAsync();
        playwright.Dispose();
    }
}
