using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Rlhf.Browser.Tests.Site;
using Rlhf.Data.Tokens;

namespace Rlhf.Browser.Tests;

/// <summary>The API reference page: Authorize takes a personal API token, and "Try it out" then gets real answers.</summary>
[Collection(SharedSite.Collection)]
public class ApiDocsTests(SharedSite site)
{
    [Fact]
    public async Task A_call_tried_on_the_docs_page_after_Authorize_with_a_token_succeeds()
    {
        await using var data = new SiteData(site);
        string token;
        await using (var db = await data.DbAsync())
        {
            var adminId = await db.Users.Where(u => u.Email == SiteProcess.AdminEmail).Select(u => u.Id).SingleAsync();
            await using var scope = data.Services.CreateAsyncScope();
            var (secret, error) = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(adminId, "docs", 1);
            Assert.Null(error);
            token = secret!;
        }

        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await page.GotoAsync("/api/docs/index.html");
        await page.ClickAsync("button.authorize");
        await page.FillAsync(".auth-container input", token);
        await page.ClickAsync(".auth-btn-wrapper button.authorize");
        await page.ClickAsync(".auth-btn-wrapper button.btn-done");

        var list = page.Locator(".opblock-get:has(.opblock-summary-path[data-path='/api/v1/projects'])");
        await list.Locator(".opblock-summary").ClickAsync();
        await list.Locator(".try-out__btn").ClickAsync();
        await list.Locator(".execute").ClickAsync();
        var status = list.Locator(".live-responses-table tr.response .response-col_status").First;
        await status.WaitForAsync();
        Assert.Equal("200", (await status.InnerTextAsync()).Trim());
        Assert.DoesNotContain("/Account/", await page.InnerTextAsync("#swagger-ui"));
    }
}
