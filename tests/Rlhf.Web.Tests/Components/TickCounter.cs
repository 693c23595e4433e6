using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Rlhf.Web.Components.Shared;

namespace Rlhf.Web.Tests.Components;

/// <summary>A page in miniature: an <see cref="AutoRefresh"/> whose ticks count up a number the page shows.</summary>
public sealed class TickCounter : ComponentBase
{
    [Parameter] public bool Active { get; set; } = true;
    [Parameter] public Action<CancellationToken>? OnTick { get; set; }
    public int Ticks { get; private set; }
    public int Asked { get; private set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "span");
        builder.AddContent(1, Ticks);
        builder.CloseElement();
        builder.OpenComponent<AutoRefresh>(2);
        builder.AddComponentParameter(3, nameof(AutoRefresh.Interval), TimeSpan.FromMilliseconds(10));
        builder.AddComponentParameter(4, nameof(AutoRefresh.OnTick), EventCallback.Factory.Create<CancellationToken>(this, Tick));
        builder.AddComponentParameter(5, nameof(AutoRefresh.While), (Func<bool>)(() => { Asked++; return Active; }));
        builder.CloseComponent();
    }

    private Task Tick(CancellationToken ct)
    {
        Ticks++;
        OnTick?.Invoke(ct);
        return Task.CompletedTask;
    }
}
