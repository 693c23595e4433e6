using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

public class RateLimitTests
{
    [Fact]
    public async Task Past_the_per_minute_limit_calls_get_429_with_problem_details_and_retry_after()
    {
        await using var factory = new RlhfWebFactory(new() { ["Api:RequestsPerMinute"] = "5" });
        _ = factory.Client();
        string token;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("r@example.test", ["Researcher"], "Some-Password-1", null);
            token = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.UserId!, "t", 1)).Secret!;
        }
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++) codes.Add((await client.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]);
        var last = await client.GetAsync("/api/v1/projects");
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        // Retry-After: whole seconds until the one-minute window lets calls through again.
        var retryAfter = last.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Contains($"try again in {retryAfter.Value.TotalSeconds:0} s", await last.Content.ReadAsStringAsync());
    }
}
