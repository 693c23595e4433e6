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

    /// <summary>
    /// A page in a fresh context on <paramref name="baseAddress"/> with <see cref="PatienceMs"/> as its default timeout;
    /// <paramref name="options"/> for more (e.g. a phone's viewport).
    /// </summary>
    public static async Task<IPage> OpenAsync(IBrowser browser, Uri baseAddress, BrowserNewContextOptions? options = null)
    {
        options ??= new();
        options.BaseURL = baseAddress.ToString();
        var context = await browser.NewContextAsync(options);
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

    /// <summary>Opens the MudSelect whose input has the id <paramref name="select"/> and picks the item starting with <paramref name="text"/>.</summary>
    public static async Task ChooseAsync(IPage page, string select, string text)
    {
        await page.Locator(select).Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(text)) }).First.ClickAsync();
        await page.WaitForSelectorAsync(".mud-popover-open .mud-list-item", new() { State = WaitForSelectorState.Detached });
    }

    /// <summary>Types a number into a MudNumericField and leaves it (it binds on change).</summary>
    public static async Task FillNumberAsync(IPage page, string input, double value)
    {
        await page.FillAsync(input, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator(input).BlurAsync();
    }

    /// <summary>Turns a MudSwitch on or off by clicking its label (the id is on its input or its label).</summary>
    public static async Task ClickSwitchAsync(IPage page, string id) =>
        await page.Locator($"label:has(#{id}), label#{id}").First.ClickAsync();

    /// <summary>
    /// Chooses <paramref name="file"/> in the Blazor <c>InputFile</c> <paramref name="input"/>, once the framework has
    /// hooked its change listener (it does so from the server after the input first renders, and sets
    /// <c>_blazorInputFileNextFileId</c> on it then): a file set before that changes nothing on the server.
    /// </summary>
    public static async Task UploadAsync(IPage page, string input, string file)
    {
        await page.WaitForFunctionAsync("s => document.querySelector(s)?._blazorInputFileNextFileId !== undefined", input,
            new() { Timeout = PatienceMs });
        await page.SetInputFilesAsync(input, file);
    }
}
