using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rlhf.Data.Audit;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Components.Account;

/// <summary>
/// Locking a rater (or changing their roles) ends their open cookie session at the next request once the security-stamp
/// interval has passed; the interval is seconds, not Identity's 30 minutes. Here it is 0: every request rechecks.
/// </summary>
public class LockedSessionTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new(new() { ["Identity:RevalidateSeconds"] = "0" });
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<(string UserId, HttpClient Browser)> SignedInRaterAsync()
    {
        var browser = factory.Client();
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("rater@example.test", ["Rater"], "Rater-Password-1", null);
        Assert.True(created.Succeeded, created.Error);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountForms.LoginAsync(browser, "rater@example.test", "Rater-Password-1")).StatusCode);
        var page = await browser.GetAsync("/rate");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return (created.UserId!, browser);
    }

    private async Task AsAdminAsync(Func<UserDirectory, Task<UserCommandResult>> change)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var result = await change(scope.ServiceProvider.GetRequiredService<UserDirectory>());
        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task A_locked_raters_open_cookie_session_is_refused_at_the_next_request()
    {
        var (raterId, browser) = await SignedInRaterAsync();

        await AsAdminAsync(users => users.SetLockedAsync(raterId, true, new AuditActor("admin", "admin", IsAdmin: true)));

        var next = await browser.GetAsync("/rate");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login", next.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/my-stats")).StatusCode); // signed out, not just refused one page
    }

    [Fact]
    public async Task A_role_change_ends_the_open_session_at_the_next_request()
    {
        var (raterId, browser) = await SignedInRaterAsync();

        await AsAdminAsync(users => users.SetRolesAsync(raterId, ["Researcher"], new AuditActor("admin", "admin", IsAdmin: true)));

        var next = await browser.GetAsync("/rate");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login", next.Headers.Location!.ToString());
    }

    [Fact]
    public async Task By_default_sessions_are_rechecked_every_few_seconds_not_every_30_minutes()
    {
        await using var site = new RlhfWebFactory();
        _ = site.Client();
        var interval = site.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval;
        Assert.Equal(TimeSpan.FromSeconds(5), interval);
    }
}
