using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Identity;
using Rlhf.Data.Database;
using Rlhf.Data.Identity;
using Rlhf.Testing.Databases;

namespace Rlhf.Data.Tests;

public class DatabaseInitializerTests
{
    [SqliteOnlyFact]
    public async Task Migrations_apply_to_an_empty_database_and_switch_it_to_WAL()
    {
        await using var db = new TestDatabase();
        await using var scope = db.Scope();
        var init = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();

        var applied = await init.MigrateAsync();
        Assert.NotEmpty(applied);
        Assert.True(File.Exists(db.FilePath));

        var context = scope.ServiceProvider.GetRequiredService<RlhfDbContext>();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(applied, (await context.Database.GetAppliedMigrationsAsync()).ToList());

        await using var connection = new SqliteConnection($"Data Source={db.FilePath}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('AspNetUsers','Projects','Jobs','AuditEvents','Assignments');";
        Assert.Equal(5L, (long)(await cmd.ExecuteScalarAsync())!);

        Assert.Empty(await init.MigrateAsync()); // a second run has nothing to do
    }

    [PostgresFact]
    public async Task Postgres_migrations_apply_to_an_empty_database_with_their_own_history()
    {
        await using var db = new TestDatabase(empty: true);
        await using var scope = db.Scope();
        var init = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();

        var applied = await init.MigrateAsync();
        var context = scope.ServiceProvider.GetRequiredService<RlhfDbContext>();
        Assert.IsType<PostgresRlhfDbContext>(context);
        Assert.Equal(applied, (await context.Database.GetAppliedMigrationsAsync()).ToList());
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        var tables = await context.Database.SqlQuery<string>($"""
            SELECT table_name AS "Value" FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name IN ('AspNetUsers', 'Projects', 'Jobs', 'AuditEvents', 'Assignments')
            """).ToListAsync();
        Assert.Equal(5, tables.Count);
        var createdAt = await context.Database.SqlQuery<string>($"""
            SELECT data_type AS "Value" FROM information_schema.columns WHERE table_name = 'Jobs' AND column_name = 'CreatedAtUtc'
            """).SingleAsync();
        Assert.Equal("timestamp with time zone", createdAt);

        Assert.Empty(await init.MigrateAsync()); // a second run has nothing to do
    }

    [Fact]
    public async Task First_start_creates_roles_and_the_bootstrap_admin_with_the_password_from_the_environment()
    {
        await using var db = new TestDatabase(new() { ["RLHF_ADMIN_PASSWORD"] = "Env-Password-123" });
        await using (var scope = db.Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            Assert.Equal("admin@example.test", result.CreatedAdminEmail);
            Assert.Null(result.GeneratedPassword); // it came from the environment: nothing to show

            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All) Assert.True(await roles.RoleExistsAsync(role));
            var admin = await users.FindByEmailAsync("admin@example.test");
            Assert.NotNull(admin);
            Assert.True(await users.IsInRoleAsync(admin, Roles.Admin));
            Assert.True(await users.CheckPasswordAsync(admin, "Env-Password-123"));
        }
        await using (var scope = db.Scope())
        {
            // Second start: the admin exists, nothing is created again.
            var again = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            Assert.Null(again.CreatedAdminEmail);
            Assert.Empty(again.AppliedMigrations);
        }
    }

    [Fact]
    public async Task Without_an_environment_password_one_is_generated_and_returned_once()
    {
        await using var db = new TestDatabase();
        await using var scope = db.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        Assert.NotNull(result.GeneratedPassword);
        Assert.True(result.GeneratedPassword!.Length >= 20);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admin = await users.FindByEmailAsync("admin@example.test");
        Assert.True(await users.CheckPasswordAsync(admin!, result.GeneratedPassword));
        // Stored hashed, never in clear.
        Assert.DoesNotContain(result.GeneratedPassword, admin!.PasswordHash);
    }

    [Fact]
    public async Task A_weak_environment_password_stops_start_up_naming_the_variable()
    {
        await using var db = new TestDatabase(new() { ["RLHF_ADMIN_PASSWORD"] = "short" });
        await using var scope = db.Scope();
        var ex = await Assert.ThrowsAsync<StartupConfigurationException>(
            () => scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync());
        Assert.Contains("RLHF_ADMIN_PASSWORD", ex.Message);
    }

    [Fact]
    public async Task An_empty_bootstrap_email_stops_start_up_naming_the_setting()
    {
        await using var db = new TestDatabase(new() { ["Bootstrap:AdminEmail"] = "" });
        await using var scope = db.Scope();
        var ex = await Assert.ThrowsAsync<StartupConfigurationException>(
            () => scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync());
        Assert.Contains("Bootstrap:AdminEmail", ex.Message);
    }

    [Fact]
    public void Generated_passwords_differ_and_hold_every_character_class()
    {
        var a = DatabaseInitializer.GeneratePassword();
        var b = DatabaseInitializer.GeneratePassword();
        Assert.NotEqual(a, b);
        Assert.Contains(a, char.IsUpper);
        Assert.Contains(a, char.IsLower);
        Assert.Contains(a, char.IsDigit);
        Assert.Contains(a, c => !char.IsLetterOrDigit(c));
    }
}
