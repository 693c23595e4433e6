using Bunit;
using Microsoft.AspNetCore.Components;

namespace Rlhf.Web.Tests.Components;

public class AutoRefreshTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static BunitContext Interactive(bool interactive = true)
    {
        var context = new BunitContext();
        context.SetRendererInfo(new RendererInfo("Server", interactive));
        return context;
    }

    [Fact]
    public async Task The_page_renders_again_after_each_tick()
    {
        await using var context = Interactive();
        var page = context.Render<TickCounter>();
        page.WaitForAssertion(() => Assert.True(int.Parse(page.Find("span").TextContent) >= 2), Patience);
    }

    [Fact]
    public async Task No_tick_while_the_page_says_there_is_nothing_to_follow()
    {
        await using var context = Interactive();
        var page = context.Render<TickCounter>(p => p.Add(c => c.Active, false));
        var counter = page.Instance;
        await UntilAsync(() => counter.Asked >= 3); // no render to wait for: nothing ticks
        Assert.Equal(0, counter.Ticks);
    }

    [Fact]
    public async Task A_failed_tick_is_not_the_last()
    {
        await using var context = Interactive();
        var failures = 0;
        var page = context.Render<TickCounter>(p => p.Add(c => c.OnTick, _ => { if (failures++ == 0) throw new InvalidOperationException("database busy"); }));
        page.WaitForAssertion(() => Assert.True(page.Instance.Ticks >= 2), Patience);
    }

    [Fact]
    public async Task Leaving_the_page_cancels_the_tick_in_flight_and_stops_the_timer()
    {
        await using var context = Interactive();
        var tokens = new List<CancellationToken>();
        var page = context.Render<TickCounter>(p => p.Add(c => c.OnTick, tokens.Add));
        var counter = page.Instance;
        page.WaitForAssertion(() => Assert.NotEmpty(tokens), Patience);

        await context.DisposeComponentsAsync();
        var ticks = counter.Ticks;
        Assert.True(tokens[^1].IsCancellationRequested);
        await Task.Delay(100); // ten intervals
        Assert.Equal(ticks, counter.Ticks);
    }

    [Fact]
    public async Task A_prerendered_page_does_not_tick()
    {
        await using var context = Interactive(interactive: false);
        var counter = context.Render<TickCounter>().Instance;
        await Task.Delay(100); // ten intervals
        Assert.Equal(0, counter.Asked);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(condition());
    }
}
