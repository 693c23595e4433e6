using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Core.Identity;
using Rlhf.Data.Audit;
using Rlhf.Data.Database;
using Rlhf.Data.Identity;
using Rlhf.Data.Users;

namespace Rlhf.Data.Tests;

public class UserDirectoryTests
{
    private static async Task<TestDatabase> ReadyAsync()
    {
        var db = new TestDatabase(new() { ["RLHF_ADMIN_PASSWORD"] = "Env-Password-123" });
        await using var scope = db.Scope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        return db;
    }

    [Fact]
    public async Task Create_makes_a_user_with_roles_a_generated_password_and_an_audit_event()
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();

        var result = await directory.CreateAsync(" rater@example.test ", ["rater"], null, new AuditActor("x", "boss"));
        Assert.True(result.Succeeded, result.Error);
        Assert.NotNull(result.GeneratedPassword);

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync("rater@example.test");
        Assert.Equal([Roles.Rater], await users.GetRolesAsync(user!));
        Assert.True(await users.CheckPasswordAsync(user!, result.GeneratedPassword!));

        var listed = await directory.ListAsync();
        Assert.Contains(listed, u => u.Email == "rater@example.test" && u.Roles.SequenceEqual([Roles.Rater]) && !u.LockedOut);

        var events = await scope.ServiceProvider.GetRequiredService<RlhfDbContext>().AuditEvents.Where(e => e.Action == "user.created").ToListAsync();
        var created = Assert.Single(events);
        Assert.Equal("boss", created.ActorName);
        Assert.Equal("rater@example.test", created.Target);
    }

    [Theory]
    [InlineData("not-an-email", "Rater", "is not an e-mail")]
    [InlineData("ok@example.test", "Boss", "is not a role")]
    [InlineData("admin@example.test", "Rater", "already exists")]
    public async Task Create_refuses_bad_input_with_a_clear_message_and_stores_nothing(string email, string role, string message)
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var context = scope.ServiceProvider.GetRequiredService<RlhfDbContext>();
        var before = await context.Users.CountAsync();

        var result = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync(email, [role], null, null);

        Assert.False(result.Succeeded);
        Assert.Contains(message, result.Error);
        Assert.Equal(before, await context.Users.CountAsync());
    }

    [Fact]
    public async Task A_password_too_weak_leaves_no_half_created_user()
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<UserDirectory>().CreateAsync("weak@example.test", ["Rater"], "abc", null);
        Assert.False(result.Succeeded);
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("weak@example.test"));
    }

    [Fact]
    public async Task The_last_admin_cannot_lose_the_role_or_be_locked()
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var admin = (await directory.ListAsync()).Single(u => u.Email == "admin@example.test");

        var demote = await directory.SetRolesAsync(admin.Id, [Roles.Rater], null);
        Assert.False(demote.Succeeded);
        Assert.Contains("last admin", demote.Error);

        var lockIt = await directory.SetLockedAsync(admin.Id, true, null);
        Assert.False(lockIt.Succeeded);
    }

    [Fact]
    public async Task Lock_and_unlock_are_reflected_and_audited()
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var created = await directory.CreateAsync("r@example.test", ["Rater"], null, null);

        Assert.True((await directory.SetLockedAsync(created.UserId!, true, null)).Succeeded);
        Assert.True((await directory.ListAsync()).Single(u => u.Id == created.UserId).LockedOut);
        Assert.True((await directory.SetLockedAsync(created.UserId!, false, null)).Succeeded);
        Assert.False((await directory.ListAsync()).Single(u => u.Id == created.UserId).LockedOut);

        var page = await scope.ServiceProvider.GetRequiredService<AuditLog>().ReadAsync("r@example.test", 0, 10);
        Assert.Equal(["user.unlocked", "user.locked", "user.created"], page.Items.Select(e => e.Action));
    }

    [Fact]
    public async Task Roles_can_be_changed()
    {
        await using var db = await ReadyAsync();
        await using var scope = db.Scope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var created = await directory.CreateAsync("res@example.test", ["Rater"], null, null);
        Assert.True((await directory.SetRolesAsync(created.UserId!, ["Researcher", "Rater"], null)).Succeeded);
        Assert.Equal(["Rater", "Researcher"], (await directory.ListAsync()).Single(u => u.Id == created.UserId).Roles);
    }
}
