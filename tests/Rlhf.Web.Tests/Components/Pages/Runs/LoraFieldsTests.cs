using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor.Services;
using Rlhf.Jobs.Training;
using Rlhf.Training.Lora;
using Rlhf.Training.Ppo;
using Rlhf.Web.Components.Pages.Runs;

namespace Rlhf.Web.Tests.Components.Pages.Runs;

/// <summary>
/// The LoRA section every run form shares, rendered with bUnit (no site): off by default, its fields appear with the
/// switch, each change reaches the form, and a run's own check (a PPO run's settings) puts the rank's problem under
/// the rank field, where it stays after the field loses focus.
/// </summary>
public class LoraFieldsTests
{
    [Fact]
    public async Task Switching_lora_on_shows_the_fields_and_a_bad_rank_is_kept_as_typed_for_the_runs_check_to_name()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var state = new LoraFormState();
        var changes = 0;
        string? ErrorOf(string field)
        {
            var request = new PpoRunRequest { Name = "lora", Config = new PpoConfig { Lora = state.Config } };
            return string.Join(" ", request.Problems().Where(p => p.Field == field).Select(p => p.Message)) is { Length: > 0 } m ? m : null;
        }

        var section = context.Render<LoraFields>(p => p
            .Add(c => c.State, state).Add(c => c.ErrorOf, ErrorOf).Add(c => c.IdPrefix, "ppo")
            .Add(c => c.Changed, EventCallback.Factory.Create(this, () => changes++)));
        Assert.Empty(section.FindAll("#ppo-lora-r"));
        Assert.Null(state.Config);

        await section.InvokeAsync(() => section.Find("input[type=checkbox]").Change(true));
        Assert.True(state.Enabled);
        Assert.Equal(1, changes);
        Assert.Equal(new LoraConfig().Rank, state.Config!.Rank);
        Assert.Single(section.FindAll("input[type=checkbox]"));                     // a policy run has no score-head switch

        await section.InvokeAsync(() => section.Find("#ppo-lora-r").Change("0"));
        await section.InvokeAsync(() => section.Find("#ppo-lora-targets").Change("q_proj, v_proj"));
        Assert.Equal(3, changes);
        Assert.Equal(0, state.Config!.Rank);   // kept as typed (no silent clamp to 1): the run's check names it below
        Assert.Equal(["q_proj", "v_proj"], state.Config.TargetModules);
        Assert.Equal("must be >= 1 (got 0)", ErrorOf("Config.Lora.Rank"));   // the run's own check names the rank field
        // ...and the rendered rank field shows it (MudBlazor validates the touched field again; the message must survive that).
        section.WaitForAssertion(() => Assert.Contains("must be >= 1 (got 0)", section.Find("#ppo-lora-r").Closest(".mud-input-control")!.TextContent));
        await section.InvokeAsync(() => section.Find("#ppo-lora-r").Blur());
        Assert.Contains("must be >= 1 (got 0)", section.Find("#ppo-lora-r").Closest(".mud-input-control")!.TextContent);
    }
}
