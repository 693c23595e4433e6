using Microsoft.AspNetCore.Components;

namespace Rlhf.Web.Components.Shared;

/// <summary>
/// Lets a page follow what changes on the server (votes coming in, a job's progress): calls <see cref="OnTick"/> every
/// <see cref="Interval"/> while the page is interactive, and the page renders again after each tick. Ticks are skipped
/// while <see cref="While"/> says false. When the page goes away the timer stops and the tick in flight is cancelled.
/// Renders nothing; place it once, outside any condition: <c>&lt;AutoRefresh Interval="..." OnTick="LoadAsync" /&gt;</c>.
/// </summary>
public sealed class AutoRefresh : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource stopped = new();

    [Parameter, EditorRequired] public TimeSpan Interval { get; set; }

    /// <summary>The page's refresh; its token is cancelled when the page goes away.</summary>
    [Parameter, EditorRequired] public EventCallback<CancellationToken> OnTick { get; set; }

    /// <summary>Whether a tick is worth it now (for example: while a job runs); every tick when not set.</summary>
    [Parameter] public Func<bool>? While { get; set; }

    [Inject] private ILogger<AutoRefresh> Logger { get; set; } = default!;

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive) _ = TickAsync(stopped.Token);
    }

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await InvokeAsync(async () =>
                    {
                        // A tick queued behind the page's disposal finds the token cancelled: the page is gone.
                        if (!ct.IsCancellationRequested && (While?.Invoke() ?? true)) await OnTick.InvokeAsync(ct);
                    });
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    Logger.LogWarning(e, "A refresh of the page failed; the next tick tries again.");
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested) { } // the page went away mid-tick
    }

    public void Dispose()
    {
        stopped.Cancel();
        stopped.Dispose();
    }
}
