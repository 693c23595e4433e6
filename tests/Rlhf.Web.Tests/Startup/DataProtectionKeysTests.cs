using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data;

namespace Rlhf.Web.Tests.Startup;

/// <summary>
/// The data-protection key ring (sign-in cookies, antiforgery tokens) lives in the database: two site instances on one
/// database read each other's cookies, and an older site's keys/ folder is carried into the database on upgrade.
/// On SQLite and, in eng/test.sh's second pass, on PostgreSQL.
/// </summary>
public class DataProtectionKeysTests
{
    private const string Purpose = "Rlhf.Web.Tests.DataProtectionKeys";

    private static IDataProtector Protector(RlhfWebFactory site) =>
        site.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    [Fact]
    public async Task Two_site_instances_on_one_database_unprotect_each_others_payloads_and_sign_ins()
    {
        await using var first = new RlhfWebFactory();
        await using var second = RlhfWebFactory.SecondInstanceOf(first);
        _ = first.Client(); // starts the first site: it migrates the database
        var fromFirst = Protector(first).Protect("made by the first instance");
        _ = second.Client();
        Assert.Equal("made by the first instance", Protector(second).Unprotect(fromFirst));
        Assert.Equal("made by the second instance", Protector(first).Unprotect(Protector(second).Protect("made by the second instance")));

        await using var db = await first.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
        Assert.False(Directory.Exists(Path.Combine(first.Folder, "keys")), "keys are no longer written beside the database");

        // Behind a load balancer a browser's requests may reach either instance: the antiforgery token of the first
        // instance's login page is accepted by the second, and the second's sign-in cookie is a session on the first.
        var options = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false };
        var toFirst = first.CreateClient(options);
        var toSecond = second.CreateClient(options);
        var loginPage = await toFirst.GetAsync("/Account/Login");
        var login = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = AccountForms.AntiforgeryToken(await loginPage.Content.ReadAsStringAsync()),
                ["_handler"] = "login",
                ["Input.Email"] = RlhfWebFactory.AdminEmail,
                ["Input.Password"] = RlhfWebFactory.AdminPassword,
            }),
        };
        login.Headers.Add("Cookie", Cookies(loginPage));
        var signedIn = await toSecond.SendAsync(login);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(".AspNetCore.Identity.Application=", Cookies(signedIn));

        var anonymous = await toFirst.GetAsync("/");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, anonymous.StatusCode); // the home page needs a sign-in
        var home = new HttpRequestMessage(HttpMethod.Get, "/");
        home.Headers.Add("Cookie", Cookies(signedIn));
        var dashboard = await toFirst.SendAsync(home);
        Assert.Equal(System.Net.HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("id=\"admin-dashboard\"", await dashboard.Content.ReadAsStringAsync());
    }

    /// <summary>The cookies a response sets, as a request's Cookie header.</summary>
    private static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : []);

    [Fact]
    public async Task An_older_sites_keys_folder_is_copied_into_the_database_so_its_cookies_stay_valid()
    {
        await using var site = new RlhfWebFactory();
        // What a site before this change left beside its database: a file-system key ring under the same application name.
        var keys = new DirectoryInfo(Path.Combine(site.Folder, "keys"));
        var oldServices = new ServiceCollection();
        oldServices.AddDataProtection().SetApplicationName("Rlhf").PersistKeysToFileSystem(keys);
        string fromOldSite;
        await using (var old = oldServices.BuildServiceProvider())
            fromOldSite = old.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("issued before the upgrade");
        Assert.Single(keys.GetFiles("key-*.xml"));

        _ = site.Client(); // start-up copies the folder's key into the empty table
        Assert.Equal("issued before the upgrade", Protector(site).Unprotect(fromOldSite));
        await using var db = await site.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync();
        var stored = Assert.Single(await db.DataProtectionKeys.ToListAsync());
        Assert.StartsWith("key-", stored.FriendlyName);
    }
}
