namespace Rlhf.Data.Database;

/// <summary>What <see cref="DatabaseInitializer.InitializeAsync"/> did.</summary>
/// <param name="AppliedMigrations">Migrations applied by this start.</param>
/// <param name="CreatedAdminEmail">The bootstrap admin's e-mail when this start created them.</param>
/// <param name="GeneratedPassword">Their generated password, to be shown once; null when it came from the environment.</param>
public sealed record BootstrapResult(IReadOnlyList<string> AppliedMigrations, string? CreatedAdminEmail, string? GeneratedPassword);
