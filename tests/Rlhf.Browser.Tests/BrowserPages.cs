using Microsoft.Playwright;

namespace Rlhf.Browser.Tests;

/// <summary>Steps every browser test takes: opening a page, logging in, and waiting until a page's circuit is interactive.</summary>
public static class BrowserPages
{
    /// <summary>
    /// Ceiling of every page wait and action (ms): sized for a loaded 2-core machine (the suite's projects run in
    /// parallel and a Blazor circuit can take tens of seconds to start there). A ceiling, not an expected duration:
    /// waits end as soon as their condition holds.
    /// </summary>
    public const float PatienceMs = 120_000;

    /// <summary>A page in a fresh context on <paramref name="baseAddress"/> with <see cref="PatienceMs"/> as its default timeout.</summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, Uri baseAddress)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        context.SetDefaultTimeout(PatienceMs);
        context.SetDefaultNavigationTimeout(PatienceMs);
        return await context.NewPageAsync();
    }

    public static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Input\\.Email", email);
        await page.FillAsync("#Input\\.Password", password);
        await page.ClickAsync("button[type=submit]");
        await WaitInteractiveAsync(page);
    }

    /// <summary>Waits for <c>#circuit-state[data-interactive=true]</c>: the page's Blazor circuit is up and handles events.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached, Timeout = PatienceMs });
}
