using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor.Services;
using Rlhf.Core.Rating;
using Rlhf.Web.Components.Shared;

namespace Rlhf.Web.Tests.Components.Shared;

/// <summary>
/// The preference-policy fields (reward/DPO/SFT forms, export) say under the field what is wrong with a value typed
/// there, and keep the value as typed: "Minimum votes" 0 once showed no message at all (MudBlazor's own validation,
/// run after the change, cleared the error the field had been given).
/// </summary>
public class PreferencePolicyFieldsTests
{
    [Fact]
    public async Task Out_of_range_values_show_their_message_under_the_field()
    {
        await using var context = new BunitContext();
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var fields = context.Render<PolicyFormHost>();
        Assert.Empty(fields.FindAll(".mud-input-helper-text.mud-input-error"));

        // As a browser does when one types and leaves the field: the change, then the blur.
        fields.Find("#run-min-votes").Change("0");
        fields.Find("#run-min-votes").Blur();
        fields.Find("#run-min-agreement").Change("1.5");
        fields.Find("#run-min-agreement").Blur();

        fields.WaitForAssertion(() => Assert.Equal(
            ["The minimum agreement must be between 0 and 1.", "The minimum number of votes must be at least 1."],
            fields.FindAll(".mud-input-error .mud-input-helper-text, .mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()).Distinct()));
        var policy = fields.Instance.Policy;
        Assert.Equal(0, policy.MinimumVotes);   // kept as typed, not quietly raised to 1
        Assert.Equal(1.5, policy.MinimumAgreement);
    }

    /// <summary>
    /// The fields inside a form as the run forms hold them: bound to the form's policy, and the form renders once more
    /// after each change (their live check of the settings does).
    /// </summary>
    private sealed class PolicyFormHost : ComponentBase
    {
        private string? checkedPolicy;
        public PreferencePolicy Policy { get; private set; } = new();

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<PreferencePolicyFields>(0);
            builder.AddAttribute(1, nameof(PreferencePolicyFields.Policy), Policy);
            builder.AddAttribute(2, nameof(PreferencePolicyFields.PolicyChanged), EventCallback.Factory.Create<PreferencePolicy>(this, p => Policy = p));
            builder.AddAttribute(3, nameof(PreferencePolicyFields.IdPrefix), "run");
            builder.CloseComponent();
        }

        protected override void OnAfterRender(bool firstRender)
        {
            if (Policy.ToString() == checkedPolicy) return;
            checkedPolicy = Policy.ToString();
            StateHasChanged();
        }
    }
}
