using System.Security.Claims;
using Rlhf.Data.Audit;

namespace Rlhf.Web.Api;

internal static class ApiUser
{
    public static string Id(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    public static AuditActor Actor(this ClaimsPrincipal user) => new(user.Id(), $"{user.Identity?.Name} (API)", user.IsInRole(Rlhf.Core.Identity.Roles.Admin));
}
