using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Rlhf.Browser.Tests.Site;

namespace Rlhf.Browser.Tests;

[Collection(SharedSite.Collection)]
public class LoginTests(SharedSite site)
{
    [Fact]
    public async Task The_bootstrap_admin_logs_in_and_sees_the_dashboard()
    {
        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        // Everything below runs under the site's Content-Security-Policy; chromium logs whatever it blocks.
        var blocked = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy")) lock (blocked) blocked.Add(message.Text); };

        var login = await page.GotoAsync("/");
        Assert.Contains("/Account/Login", page.Url); // anonymous: sent to log in
        Assert.Contains("img-src 'self' data:", (await login!.AllHeadersAsync())["content-security-policy"]);

        await page.FillAsync("#Input\\.Email", SiteProcess.AdminEmail);
        await page.FillAsync("#Input\\.Password", SiteProcess.AdminPassword);
        await page.ClickAsync("button[type=submit]");

        await page.WaitForSelectorAsync("#admin-dashboard", new PageWaitForSelectorOptions { Timeout = BrowserPages.PatienceMs });
        Assert.Equal(site.BaseAddress.ToString(), page.Url);
        Assert.Equal("Dashboard", (await page.InnerTextAsync("h4")).Trim());
        // The number of accounts the database holds (the shared site has those of other tests too; none are made meanwhile).
        await using (var data = new SiteData(site))
        await using (var db = await data.DbAsync())
            Assert.Equal((await db.Users.CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.InnerTextAsync("[data-count=users] .count-value")).Trim());
        Assert.True(await page.IsVisibleAsync("text=Users"));

        // The page turns interactive (Blazor circuit): the theme toggle switches to dark mode.
        await page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = BrowserPages.PatienceMs });
        var before = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        await page.ClickAsync("#theme-toggle");
        await page.WaitForFunctionAsync(
            "before => getComputedStyle(document.body).backgroundColor !== before", before,
            new PageWaitForFunctionOptions { Timeout = BrowserPages.PatienceMs });
        lock (blocked) Assert.Empty(blocked);

        // The menu marks the page shown, and follows the page.
        Assert.Equal("page", await page.GetAttributeAsync("nav.mud-navmenu a[href='']", "aria-current"));
        await page.ClickAsync("nav.mud-navmenu a[href='admin/users']");
        await page.WaitForSelectorAsync("nav.mud-navmenu a[href='admin/users'][aria-current=page]", new() { Timeout = BrowserPages.PatienceMs });
        Assert.Null(await page.GetAttributeAsync("nav.mud-navmenu a[href='']", "aria-current"));
        // A group closes and opens again.
        await page.ClickAsync("nav[aria-label=Admin] button[aria-expanded=true]");
        await page.WaitForSelectorAsync("nav.mud-navmenu a[href='admin/pools']", new() { State = WaitForSelectorState.Detached, Timeout = BrowserPages.PatienceMs });
        await page.ClickAsync("nav[aria-label=Admin] button[aria-expanded=false]");
        await page.WaitForSelectorAsync("nav.mud-navmenu a[href='admin/pools']", new() { Timeout = BrowserPages.PatienceMs });

        // The roles dropdown of the new-account form closes on Esc, also after a role was picked in it (a multi-select).
        await page.GotoAsync("/admin/users");
        await BrowserPages.WaitInteractiveAsync(page);
        await page.Locator("#new-user-roles").Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Researcher" }).First.ClickAsync();
        // Even with the focus in the list itself (where MudBlazor's own Esc handling does not reach).
        await page.Locator(".mud-popover-open .mud-list-item").First.FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync(".mud-popover-open .mud-list-item", new() { State = WaitForSelectorState.Detached, Timeout = 5_000 });
        // So does an account's roles dropdown in the table, opened and left with Esc (nothing changes).
        await page.Locator("td[data-label=Roles] .mud-select").First.ClickAsync();
        await page.WaitForSelectorAsync(".mud-popover-open .mud-list-item");
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync(".mud-popover-open .mud-list-item", new() { State = WaitForSelectorState.Detached, Timeout = 5_000 });

        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png") });
    }

    [Fact]
    public async Task A_wrong_password_shows_a_clear_message_in_the_browser()
    {
        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();

        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Input\\.Email", "nobody@example.test");
        await page.FillAsync("#Input\\.Password", "whatever-it-is");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("[role=alert]");
        Assert.Contains("Wrong e-mail or password.", await page.InnerTextAsync("[role=alert]"));
    }
}
