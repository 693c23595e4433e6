using Microsoft.Playwright;

namespace Rlhf.Browser.Tests;

/// <summary>Steps every browser test takes: logging in, and waiting until a page's circuit is interactive.</summary>
public static class BrowserPages
{
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
        page.WaitForSelectorAsync("#circuit-state[data-interactive=true]", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
}
