namespace Rlhf.Data.Users;

public sealed record UserSummary(
    string Id, string Email, string? DisplayName, IReadOnlyList<string> Roles, bool LockedOut, DateTime CreatedAtUtc);
