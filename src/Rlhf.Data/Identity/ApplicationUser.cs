using Microsoft.AspNetCore.Identity;

namespace Rlhf.Data.Identity;

/// <summary>A person who signs in: rater, researcher or admin (roles are Identity roles).</summary>
public sealed class ApplicationUser : IdentityUser
{
    [PersonalData]
    public string? DisplayName { get; set; }

    public DateTime CreatedAtUtc { get; set; }
}
