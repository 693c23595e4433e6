using System.Net;
using System.Text.RegularExpressions;

namespace Rlhf.Web.Tests.Security;

/// <summary>Every answer carries the site's Content-Security-Policy: no remote images or scripts, the import map by nonce.</summary>
public class ContentSecurityPolicyTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static Dictionary<string, string[]> Directives(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var values), $"{response.RequestMessage!.RequestUri}: no CSP header");
        return values.Single().Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(d => d[0], d => d[1..]);
    }

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/api/v1/projects")]
    [InlineData("/api/v1/no-such-route")]
    [InlineData("/no-such-page")]
    [InlineData("/app.css")]
    public async Task The_policy_allows_images_only_from_the_site_and_data_urls(string path)
    {
        var response = await factory.Client().GetAsync(path);
        var csp = Directives(response);
        Assert.Equal(["'self'", "data:"], csp["img-src"]);
        Assert.Equal(["'self'"], csp["default-src"]);
        Assert.Equal(["'self'"], csp["connect-src"]);
        Assert.Equal(["'none'"], csp["object-src"]);
        Assert.Equal(["'none'"], csp["frame-ancestors"]);
        Assert.DoesNotContain(csp["script-src"], s => s is "'unsafe-inline'" or "'unsafe-eval'" or "*" || s.Contains("http"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task The_import_map_carries_the_nonce_of_its_own_answer_and_each_answer_has_a_new_one()
    {
        var client = factory.Client();
        var nonces = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var response = await client.GetAsync("/Account/Login");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var nonce = Assert.Single(Directives(response)["script-src"], s => s.StartsWith("'nonce-"))["'nonce-".Length..^1];
            var html = await response.Content.ReadAsStringAsync();
            Assert.Matches($"<script type=\"importmap\" nonce=\"{Regex.Escape(nonce)}\">", html);
            nonces.Add(nonce);
        }
        Assert.NotEqual(nonces[0], nonces[1]);
    }
}
