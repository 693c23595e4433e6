using Microsoft.Playwright;

namespace Rlhf.Browser.Tests.Site;

/// <summary>
/// One real site (a <see cref="SiteProcess"/>) and one chromium, started once and shared by every test class of the
/// <see cref="Collection"/> collection: each site start (cold .NET start, migrations, job runner) and each Playwright
/// driver + chromium launch costs tens of seconds on CI's loaded 2-core machine, and most browser tests need nothing
/// from a site but that it runs.
/// <para><b>To opt a test class in</b>: put <c>[Collection(SharedSite.Collection)]</c> on it, take a <see cref="SharedSite"/>
/// in its constructor (instead of <c>IClassFixture&lt;SiteProcess&gt;</c>), and open pages with
/// <c>await using var browser = site.NewBrowser(); var page = await browser.OpenAsync();</c> (each page in a fresh
/// context, so its own cookies; the contexts, and the circuits they hold on the site, close when the test ends).
/// <c>new SiteData(site)</c>, <c>site.BaseAddress</c>, <c>site.Folder</c> work as on a <see cref="SiteProcess"/>.</para>
/// <para><b>Rules of the shared site</b> (its tests run one after another, in no fixed order, on one database):
/// name what you create uniquely (projects, pools, users, models, files in <c>site.Folder</c>); never assume an empty
/// site (compare against what the database holds, or count only what your test made); wait for the jobs your test
/// starts to end before it returns.</para>
/// <para><b>Stay out</b> (use <c>IClassFixture</c> with your own <see cref="SiteProcess"/>) when the test kills or
/// restarts the site, needs other site settings, or needs a site nobody else has touched (e.g. <see cref="PpoLoopTests"/>).</para>
/// </summary>
public sealed class SharedSite : SiteProcess, IAsyncLifetime
{
    public const string Collection = "shared site";

    private IPlaywright? playwright;
    private IBrowser? browser;

    /// <summary>A test's own set of pages on the shared chromium; disposing it closes them.</summary>
    public SiteBrowser NewBrowser() => new(browser ?? throw new InvalidOperationException("the shared site is not started"), BaseAddress);

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        playwright = await Playwright.CreateAsync();
        browser = await Chromium.LaunchAsync(playwright);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        await DisposeAsync();
    }
}
