using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Rlhf.Data.Audit;
using Rlhf.Data.Users;
using Rlhf.Testing.Databases;

namespace Rlhf.Web.Tests;

public class AuthenticationTests : IAsyncLifetime
{
    private readonly RlhfWebFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/admin/users")]
    [InlineData("/admin/audit")]
    [InlineData("/Account/Manage")]
    [InlineData("/models")]
    [InlineData("/jobs")]
    [InlineData("/projects")]
    [InlineData("/rate")]
    [InlineData("/my-stats")]
    public async Task An_anonymous_visitor_is_sent_to_login(string path)
    {
        var response = await factory.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login", response.Headers.Location!.ToString());
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_login_page_and_static_assets_are_public()
    {
        var client = factory.Client();
        var login = await client.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("Log in", html);
        Assert.Contains("MudBlazor", html);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/_content/MudBlazor/MudBlazor.min.css")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app.css")).StatusCode);
    }

    [Fact]
    public async Task The_bootstrap_admin_logs_in_and_sees_the_dashboard_with_real_counts()
    {
        var client = factory.Client();
        var response = await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("Dashboard", html);
        Assert.Contains(RlhfWebFactory.AdminEmail, html);
        // Admin sees the admin and research sections; the one user counted is the admin.
        Assert.Contains("id=\"admin-dashboard\"", html);
        Assert.Contains("id=\"research-dashboard\"", html);
        Assert.Matches("data-count=\"users\"[\\s\\S]*?count-value[^>]*>1<", html);
        Assert.Matches("data-count=\"projects\"[\\s\\S]*?count-value[^>]*>0<", html);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/audit")).StatusCode);
        var models = await client.GetAsync("/models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Contains("Import a Hugging Face checkpoint folder", await models.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/jobs")).StatusCode);
        foreach (var (path, text) in new[] { ("/runs", "New reward run"), ("/runs/new", "Bradley-Terry"), ("/runs/new-ppo", "New PPO run"), ("/runs/new-grpo", "New GRPO run"),
                     ("/data", "Data in and out"), ("/projects", "Projects"), ("/projects/new", "New project"), ("/admin/pools", "Rater pools"), ("/tokens", "API tokens") })
        {
            var page = await client.GetAsync(path);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {(int)page.StatusCode}");
            Assert.Contains(text, await page.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_rater_is_refused_admin_pages()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>()
                .CreateAsync("rater@example.test", ["Rater"], "Rater-Password-1", new AuditActor(null, "test"));
            Assert.True(created.Succeeded, created.Error);
        }
        var client = factory.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountForms.LoginAsync(client, "rater@example.test", "Rater-Password-1")).StatusCode);

        foreach (var path in new[] { "/admin/users", "/admin/audit", "/admin/pools", "/models", "/jobs", "/jobs/1", "/projects", "/projects/new", "/projects/1", "/runs", "/runs/new", "/runs/new-ppo", "/runs/new-grpo", "/runs/1", "/data" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.ToString().Contains("/Account/AccessDenied") == true,
                $"{path} answered {(int)response.StatusCode} {response.Headers.Location}");
        }
        var dashboard = await (await client.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.Contains("id=\"rater-dashboard\"", dashboard);
        Assert.DoesNotContain("id=\"admin-dashboard\"", dashboard);
        Assert.DoesNotContain("href=\"admin/users\"", dashboard);
    }

    [Fact]
    public async Task A_wrong_password_shows_a_clear_message_and_repeated_failures_lock_the_account()
    {
        var client = factory.Client();
        var wrong = await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, "not-the-password");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Wrong e-mail or password.", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode); // still not signed in

        await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, "not-the-password");
        var third = await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, "not-the-password");
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        Assert.EndsWith("/Account/Lockout", third.Headers.Location!.ToString());

        // Locked: even the right password is refused now.
        var right = await AccountForms.LoginAsync(client, RlhfWebFactory.AdminEmail, RlhfWebFactory.AdminPassword);
        Assert.EndsWith("/Account/Lockout", right.Headers.Location!.ToString());
        var lockout = await client.GetStringAsync("/Account/Lockout");
        Assert.Contains("locked", lockout);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [SqliteOnlyFact]
    public async Task Start_up_migrates_the_empty_database_file()
    {
        _ = factory.Client();
        Assert.True(File.Exists(factory.DatabasePath));
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM __EFMigrationsHistory;";
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 1);
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Self_registration_is_closed_by_default()
    {
        var client = factory.Client();
        var page = await client.GetStringAsync("/Account/Register");
        Assert.Contains("Registration is closed", page);
        Assert.DoesNotContain("Input.Password", page);
    }
}
