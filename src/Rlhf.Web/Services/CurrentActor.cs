using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Rlhf.Data.Audit;

namespace Rlhf.Web.Services;

/// <summary>
/// The signed-in user of this circuit as the actor the audit trail names for a change made on a page (the API's
/// counterpart is <c>ApiUser.Actor</c>). Scoped: one per circuit, read from its authentication state.
/// </summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication)
{
    public async Task<AuditActor> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return new AuditActor(user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity?.Name ?? "unknown", user.IsInRole(Rlhf.Core.Identity.Roles.Admin));
    }
}
