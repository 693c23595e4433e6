namespace Rlhf.Data.Users;

/// <summary>The outcome of a user change: an error to show, or success (with a generated password shown once).</summary>
public sealed record UserCommandResult(bool Succeeded, string? Error, string? UserId = null, string? GeneratedPassword = null)
{
    public static UserCommandResult Fail(string error) => new(false, error);
}
