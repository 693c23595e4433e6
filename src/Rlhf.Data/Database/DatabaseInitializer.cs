using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Rlhf.Core.Identity;
using Rlhf.Data.Audit;
using Rlhf.Data.Identity;

namespace Rlhf.Data.Database;

/// <summary>
/// Brings a database to the current schema and seeds what the platform needs: migrations first (nothing is
/// written before they succeed), then (on SQLite) WAL journal mode, the three roles and the bootstrap admin.
/// </summary>
public sealed class DatabaseInitializer(
    RlhfDbContext db,
    DatabaseLocation location,
    RoleManager<IdentityRole> roles,
    UserManager<ApplicationUser> users,
    AuditLog audit,
    IConfiguration configuration,
    ILogger<DatabaseInitializer> logger)
{
    /// <summary>Applies pending migrations. Returns the names of those applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default)
    {
        location.EnsureFolderWritable();
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        try
        {
            await db.Database.MigrateAsync(ct);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            throw new StartupConfigurationException(
                $"Setting {DatabaseLocation.SettingName}: cannot migrate '{location.Display}' ({ex.Message.Split('\n')[0].Trim()}).", ex);
        }
        // WAL lets the site, a separate job runner and the CLI read while one of them writes.
        if (location.Provider == DatabaseProvider.Sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        return pending;
    }

    /// <summary>Creates the Admin, Researcher and Rater roles that are missing.</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
    }

    /// <summary>Migrates, then seeds roles and the bootstrap admin. Returns the generated password when one was made.</summary>
    public async Task<BootstrapResult> InitializeAsync(CancellationToken ct = default)
    {
        var applied = await MigrateAsync(ct);
        if (applied.Count > 0) logger.LogInformation("Applied migrations: {Migrations}", string.Join(", ", applied));
        await EnsureRolesAsync();
        var (email, password) = await EnsureBootstrapAdminAsync(ct);
        return new BootstrapResult(applied, email, password);
    }

    /// <summary>
    /// When no admin exists, creates the one named by Bootstrap:AdminEmail. Returns their e-mail and, when it was
    /// generated here, their password (to be shown once).
    /// </summary>
    public async Task<(string? Email, string? GeneratedPassword)> EnsureBootstrapAdminAsync(CancellationToken ct = default)
    {
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
            return (null, null);

        var email = configuration[$"{BootstrapOptions.Section}:AdminEmail"];
        if (string.IsNullOrWhiteSpace(email))
            throw new StartupConfigurationException(
                $"Setting {BootstrapOptions.Section}:AdminEmail is empty and no admin exists yet; set it to the first admin's e-mail.");
        email = email.Trim();

        var fromEnvironment = configuration[BootstrapOptions.PasswordVariable];
        string? shownOnce = null;
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            var password = string.IsNullOrEmpty(fromEnvironment) ? GeneratePassword() : fromEnvironment;
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAtUtc = DateTime.UtcNow };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
                throw new StartupConfigurationException(
                    $"Environment variable {BootstrapOptions.PasswordVariable} is not an acceptable password: " +
                    string.Join(" ", created.Errors.Select(e => e.Description)));
            if (string.IsNullOrEmpty(fromEnvironment)) shownOnce = password;
        }
        // An existing account named by Bootstrap:AdminEmail keeps its password and gains the roles.
        foreach (var role in new[] { Roles.Admin, Roles.Researcher })
            if (!await users.IsInRoleAsync(user, role))
                Check(await users.AddToRoleAsync(user, role), "make the bootstrap admin");
        await audit.RecordAsync(null, "user.bootstrap-admin", email, "first admin made on first start", ct);
        return (email, shownOnce);
    }

    /// <summary>A 20-character password from a CSPRNG with every character class Identity asks for.</summary>
    public static string GeneratePassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "!@#%*-_+=?";
        const string all = lower + upper + digits + symbols;
        var chars = new char[20];
        chars[0] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[1] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++) chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
