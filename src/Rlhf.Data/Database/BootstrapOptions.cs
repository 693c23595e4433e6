namespace Rlhf.Data.Database;

/// <summary>
/// The first admin, created on first start when no admin exists. <c>Bootstrap:AdminEmail</c> names them; the password
/// comes from the environment variable <c>RLHF_ADMIN_PASSWORD</c>, or is generated and printed once.
/// </summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";
    public const string PasswordVariable = "RLHF_ADMIN_PASSWORD";

    public string? AdminEmail { get; set; }
}
