using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data;
using Rlhf.Data.Tokens;
using Rlhf.Data.Users;

namespace Rlhf.Web.Tests.Api;

/// <summary>An import over Imports:MaxUploadBytes is a 413 with problem details, whatever the way it is sent, and leaves nothing behind.</summary>
public class ImportLimitApiTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new(new() { ["Imports:MaxUploadBytes"] = "4096" });
    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<(HttpClient Client, int Project)> ResearcherWithProjectAsync()
    {
        _ = factory.Client();
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("res@example.test", ["Researcher"], "Some-Password-1", null);
        var token = (await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user.UserId!, "t", 1)).Secret!;
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await client.PostAsJsonAsync("/api/v1/projects", new { name = "limits" });
        return (client, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
    }

    private static async Task AssertTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Equal("The upload is larger than 4 KiB (4096 bytes) (setting Imports:MaxUploadBytes); nothing was imported.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_as_a_body_a_stream_or_a_form_and_nothing_is_queued_or_kept()
    {
        var (client, project) = await ResearcherWithProjectAsync();
        var line = "{\"prompt\": \"" + new string('x', 100) + "\"}\n";
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, 60)));   // about 7 KB
        var url = $"/api/v1/projects/{project}/imports?format=jsonl";

        await AssertTooLargeAsync(await client.PostAsync(url, new ByteArrayContent(big)));
        var chunked = new StreamContent(new NoLengthStream(big));                          // no Content-Length: counted while copied
        await AssertTooLargeAsync(await client.PostAsync(url, chunked));
        var form = new MultipartFormDataContent { { new ByteArrayContent(big), "file", "big.jsonl" } };
        await AssertTooLargeAsync(await client.PostAsync($"/api/v1/projects/{project}/imports", form));

        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RlhfDbContext>>().CreateDbContextAsync())
            Assert.Empty(await db.Jobs.ToListAsync());
        var uploads = Path.Combine(Path.GetDirectoryName(factory.DatabasePath)!, "imports");
        Assert.True(!Directory.Exists(uploads) || !Directory.EnumerateFiles(uploads).Any());

        var small = await client.PostAsync(url, new ByteArrayContent(Encoding.UTF8.GetBytes(line)));
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
    }

    /// <summary>A readable stream that does not say its length, so the client sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
