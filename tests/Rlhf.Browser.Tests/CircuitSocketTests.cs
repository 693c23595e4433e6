using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Rlhf.Browser.Tests.Site;

namespace Rlhf.Browser.Tests;

/// <summary>
/// The socket a Blazor circuit runs on, against the real site: it answers without per-message compression even when the
/// client offers it (each compressed connection keeps deflate state, resident memory the open rating pages pay for).
/// </summary>
[Collection(SharedSite.Collection)]
public class CircuitSocketTests(SharedSite site)
{
    [Fact]
    public async Task A_circuit_socket_refuses_per_message_compression()
    {
        // Signed in as a browser is (the circuit hub serves signed-in users only): its cookies on a plain client.
        await using var browser = site.NewBrowser();
        var page = await browser.OpenAsync();
        await BrowserPages.LogInAsync(page, SiteProcess.AdminEmail, SiteProcess.AdminPassword);
        var cookies = new CookieContainer();
        foreach (var c in await page.Context.CookiesAsync()) cookies.Add(site.BaseAddress, new Cookie(c.Name, c.Value, c.Path));
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = site.BaseAddress };
        // As the SignalR client negotiates: an empty text body.
        using var negotiate = await http.PostAsync("_blazor/negotiate?negotiateVersion=1", new StringContent("", System.Text.Encoding.UTF8, "text/plain"));
        Assert.True(negotiate.IsSuccessStatusCode, $"{(int)negotiate.StatusCode}: {await negotiate.Content.ReadAsStringAsync()}");
        var token = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement.GetProperty("connectionToken").GetString();

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.Cookies = cookies;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions(); // what browsers offer: permessage-deflate
        var address = new UriBuilder(site.BaseAddress) { Scheme = "ws", Path = "/_blazor", Query = "id=" + token }.Uri;
        await socket.ConnectAsync(address, CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(101, (int)socket.HttpStatusCode);
        Assert.DoesNotContain(socket.HttpResponseHeaders!, h => h.Key.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase)
            && h.Value.Any(v => v.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase)));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}
