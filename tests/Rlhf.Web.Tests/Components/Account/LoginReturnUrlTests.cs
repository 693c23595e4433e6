using System.Net;

namespace Rlhf.Web.Tests.Components.Account;

/// <summary>A crafted ReturnUrl on the login page neither breaks the sign-in nor leaves the site.</summary>
public class LoginReturnUrlTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Theory]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("http://localhost.evil.example/", "/")]
    [InlineData("/projects?tab=2", "/projects?tab=2")]
    [InlineData("http://localhost/jobs", "/jobs")]
    public async Task The_admin_is_signed_in_and_sent_to_a_page_of_this_site(string returnUrl, string expected)
    {
        var client = factory.Client();
        var response = await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        var target = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
        Assert.Equal("localhost", target.Host);
        Assert.Equal(expected, target.PathAndQuery);
        // Signed in: the dashboard opens instead of sending back to the login page.
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Dashboard", await home.Content.ReadAsStringAsync());
    }
}
